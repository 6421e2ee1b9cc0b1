package session

import (
	"testing"

	"github.com/profitline/profitline/internal/vault"
)

func FuzzDecodeNeverOpensAForgedCookie(f *testing.F) {
	spec, _ := vault.GenerateKeySpec(1)
	ring, err := vault.ParseKeyRing(spec)
	if err != nil {
		f.Fatal(err)
	}
	codec := NewCodec(ring, "session.cookie")
	genuine, err := codec.Encode(CookieName, claims{SessionID: make([]byte, 32), UserID: 7, IssuedAt: 1, LastSeen: 2})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(genuine)
	f.Add("")
	f.Add("AQAAAAE")
	f.Add(genuine[:len(genuine)-1] + "A")
	f.Fuzz(func(t *testing.T, value string) {
		var c claims
		err := codec.Decode(CookieName, value, &c)
		if err == nil && value != genuine {
			t.Fatalf("a forged value opened: %q", value)
		}
	})
}
