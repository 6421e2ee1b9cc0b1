package syncer_test

import (
	"bytes"
	"testing"

	"github.com/profitline/profitline/internal/syncer"
)

func TestABuyerKeyIsOneSellersAndNeedsTheKey(t *testing.T) {
	key := syncer.BuyerIndexKey([]byte("a deployment's blind-index key"))
	a := syncer.BuyerKey(key, 1, "7000000000000000001")
	switch {
	case len(a) != 16 || !bytes.Equal(a, syncer.BuyerKey(key, 1, "7000000000000000001")):
		t.Fatalf("one seller's buyer has keys %x and %x; want one 16-byte key", a, syncer.BuyerKey(key, 1, "7000000000000000001"))
	case bytes.Equal(a, syncer.BuyerKey(key, 1, "7000000000000000002")):
		t.Error("two buyers of one seller share a key")
	case bytes.Equal(a, syncer.BuyerKey(key, 2, "7000000000000000001")):
		t.Error("one buyer has the same key at two sellers: keys would link sellers' customers")
	case bytes.Equal(a, syncer.BuyerKey(syncer.BuyerIndexKey([]byte("another deployment")), 1, "7000000000000000001")):
		t.Error("another key makes the same buyer key")
	case bytes.Contains(a, []byte("7000000000000000001")):
		t.Error("the key holds the buyer id")
	}
	if k := syncer.BuyerKey(nil, 1, "7000000000000000001"); len(k) != 0 {
		t.Errorf("without a key: %x; want none", k)
	}
	if k := syncer.BuyerKey(key, 1, ""); len(k) != 0 {
		t.Errorf("without a buyer: %x; want none", k)
	}
}
