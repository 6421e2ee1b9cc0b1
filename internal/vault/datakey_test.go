package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// fixedDataKey returns a data key with known bytes (0, 1, 2, ...), so vectors sealed by it stay valid across runs.
func fixedDataKey(t testing.TB, id KeyID) *DataKey {
	t.Helper()
	key := new([keyLen]byte)
	for i := range key {
		key[i] = byte(i)
	}
	k, err := newDataKey(id, key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newTestDataKey(t testing.TB, id KeyID) *DataKey {
	t.Helper()
	k, err := NewDataKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSeal(t testing.TB, k *DataKey, ad AD, plaintext []byte) []byte {
	t.Helper()
	ct, err := k.Seal(ad, plaintext)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

var orderAD = AD{Purpose: "orders.payload", UserID: 42, RowKey: "576461413038785752"}

// goldenCiphertext is `{"buyer":"Jane Doe"}` sealed by fixedDataKey(1) under orderAD. Data at rest outlives code: if
// this stops opening, every stored row would too.
const goldenCiphertext = "0100000001f4d960c2469a1eea3e4a16423dde74a20cdd5fe51184e65e4f328829776a8c346b7d09c9734d6711f96d20fe4b0be55c"

const goldenPlaintext = `{"buyer":"Jane Doe"}`

func golden(t testing.TB) []byte {
	t.Helper()
	ct, err := hex.DecodeString(goldenCiphertext)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func TestSealThenOpenReturnsThePlaintext(t *testing.T) {
	k := newTestDataKey(t, 1)
	tests := []struct {
		name      string
		plaintext []byte
	}{
		{"empty", nil},
		{"empty non-nil", []byte{}},
		{"short text", []byte("jane@example.com")},
		{"binary with zero bytes", []byte{0, 1, 0, 255, 0}},
		{"one KiB", bytes.Repeat([]byte("x"), 1024)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := mustSeal(t, k, orderAD, tt.plaintext)
			if want := minLen + len(tt.plaintext); len(ct) != want {
				t.Errorf("ciphertext is %d bytes, want %d", len(ct), want)
			}
			got, err := k.Open(orderAD, ct)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open = %q, want %q", got, tt.plaintext)
			}
		})
	}
}

func TestSealStringThenOpenStringReturnsTheString(t *testing.T) {
	k := newTestDataKey(t, 1)
	for _, s := range []string{"", "Jane Doe", "12 Rue de la Paix, 75002 Paris", "✓ unicode"} {
		ct, err := k.SealString(orderAD, s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.OpenString(orderAD, ct)
		if err != nil {
			t.Fatal(err)
		}
		if got != s {
			t.Errorf("OpenString = %q, want %q", got, s)
		}
	}
}

func TestKnownCiphertextStillOpens(t *testing.T) {
	got, err := fixedDataKey(t, 1).OpenString(orderAD, golden(t))
	if err != nil {
		t.Fatal(err)
	}
	if got != goldenPlaintext {
		t.Errorf("OpenString = %q, want %q", got, goldenPlaintext)
	}
}

// TestCiphertextLayoutMatchesTheDocumentedFormat opens the golden vector with plain AES-GCM and associated data built
// by hand from the package documentation, so the format is pinned independently of the code that writes it.
func TestCiphertextLayoutMatchesTheDocumentedFormat(t *testing.T) {
	ct := golden(t)
	if ct[0] != 1 {
		t.Fatalf("version = %d, want 1", ct[0])
	}
	if id := binary.BigEndian.Uint32(ct[1:5]); id != 1 {
		t.Fatalf("key id = %d, want 1", id)
	}
	nonce, sealed := ct[5:17], ct[17:]

	var ad []byte
	ad = append(ad, ct[:5]...)
	ad = binary.BigEndian.AppendUint64(ad, uint64(len(orderAD.Purpose)))
	ad = append(ad, orderAD.Purpose...)
	ad = binary.BigEndian.AppendUint64(ad, uint64(orderAD.UserID))
	ad = binary.BigEndian.AppendUint64(ad, uint64(len(orderAD.RowKey)))
	ad = append(ad, orderAD.RowKey...)

	block, err := aes.NewCipher(fixedDataKey(t, 1).secret.key[:])
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	got, err := gcm.Open(nil, nonce, sealed, ad)
	if err != nil {
		t.Fatalf("plain AES-GCM cannot open the vault format: %v", err)
	}
	if string(got) != goldenPlaintext {
		t.Errorf("plaintext = %q, want %q", got, goldenPlaintext)
	}
}

func TestOpenWithDifferentAssociatedDataFails(t *testing.T) {
	k := newTestDataKey(t, 1)
	ct := mustSeal(t, k, orderAD, []byte("Jane Doe"))
	tests := []struct {
		name string
		ad   AD
	}{
		{"another purpose (copied into another column)", AD{Purpose: "orders.buyer_name", UserID: 42, RowKey: orderAD.RowKey}},
		{"another user id (copied into another tenant)", AD{Purpose: orderAD.Purpose, UserID: 43, RowKey: orderAD.RowKey}},
		{"another row key (moved to another user's row)", AD{Purpose: orderAD.Purpose, UserID: 42, RowKey: "576461413038785753"}},
		{"no row key", AD{Purpose: orderAD.Purpose, UserID: 42}},
		{"row key shifted into the purpose", AD{Purpose: orderAD.Purpose + "5", UserID: 42, RowKey: orderAD.RowKey[1:]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := k.Open(tt.ad, ct)
			if !errors.Is(err, ErrOpen) {
				t.Fatalf("Open = %v, want ErrOpen", err)
			}
			if !strings.Contains(err.Error(), string(tt.ad.Purpose)) {
				t.Errorf("error %q does not name the purpose", err)
			}
		})
	}
}

func TestOpenWithAnotherDataKeyFails(t *testing.T) {
	ct := mustSeal(t, newTestDataKey(t, 1), orderAD, []byte("Jane Doe"))
	if _, err := newTestDataKey(t, 1).Open(orderAD, ct); !errors.Is(err, ErrOpen) {
		t.Errorf("another tenant's key with the same id: Open = %v, want ErrOpen", err)
	}
	if _, err := newTestDataKey(t, 2).Open(orderAD, ct); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("another generation of the key: Open = %v, want ErrUnknownKey", err)
	}
}

func TestFlippedByteAnywhereFailsWithTheMatchingError(t *testing.T) {
	k := newTestDataKey(t, 1)
	ct := mustSeal(t, k, orderAD, []byte("Jane Doe"))
	for i := range ct {
		var want error
		switch {
		case i == 0:
			want = ErrMalformed // version
		case i < headerLen:
			want = ErrUnknownKey // key id
		default:
			want = ErrOpen // nonce, body, tag
		}
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			tampered := bytes.Clone(ct)
			tampered[i] ^= mask
			got, err := k.Open(orderAD, tampered)
			if !errors.Is(err, want) {
				t.Errorf("byte %d ^ %#x: Open = %q, %v; want %v", i, mask, got, err, want)
			}
		}
	}
}

func TestTruncatedCiphertextIsMalformed(t *testing.T) {
	k := newTestDataKey(t, 1)
	ct := mustSeal(t, k, orderAD, nil)
	if len(ct) != minLen {
		t.Fatalf("sealed empty plaintext is %d bytes, want the minimum %d", len(ct), minLen)
	}
	ring := parseTestRing(t, testSpec(1, 0x11))
	for n := range minLen {
		if _, err := k.Open(orderAD, ct[:n]); !errors.Is(err, ErrMalformed) {
			t.Errorf("Open of %d bytes = %v, want ErrMalformed", n, err)
		}
		if _, err := SealedKeyID(ct[:n]); !errors.Is(err, ErrMalformed) {
			t.Errorf("SealedKeyID of %d bytes = %v, want ErrMalformed", n, err)
		}
		if _, err := ring.UnwrapDataKey(42, 1, ct[:n]); !errors.Is(err, ErrMalformed) {
			t.Errorf("UnwrapDataKey of %d bytes = %v, want ErrMalformed", n, err)
		}
	}
}

func TestTruncatedCiphertextAboveTheMinimumFailsAuthentication(t *testing.T) {
	k := newTestDataKey(t, 1)
	ct := mustSeal(t, k, orderAD, []byte("Jane Doe"))
	for n := minLen; n < len(ct); n++ {
		if _, err := k.Open(orderAD, ct[:n]); !errors.Is(err, ErrOpen) {
			t.Errorf("Open of %d bytes = %v, want ErrOpen", n, err)
		}
	}
}

func TestSealingTheSamePlaintextTwiceGivesDifferentCiphertexts(t *testing.T) {
	k := newTestDataKey(t, 1)
	a := mustSeal(t, k, orderAD, []byte("Jane Doe"))
	b := mustSeal(t, k, orderAD, []byte("Jane Doe"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals are identical; nonces are not random")
	}
	if bytes.Equal(a[headerLen:headerLen+nonceLen], b[headerLen:headerLen+nonceLen]) {
		t.Error("two seals share a nonce")
	}
}

func TestSealAndOpenNeitherModifyNorAliasTheirInput(t *testing.T) {
	k := newTestDataKey(t, 1)
	plaintext := make([]byte, 8, 64) // spare capacity that an append-in-place would use
	copy(plaintext, "Jane Doe")
	ct := mustSeal(t, k, orderAD, plaintext)
	if string(plaintext) != "Jane Doe" || !bytes.Equal(plaintext[:cap(plaintext)][8:], make([]byte, 56)) {
		t.Fatalf("Seal modified the plaintext or its spare capacity: %q", plaintext[:cap(plaintext)])
	}
	plaintext[0] = 'X'
	got, err := k.Open(orderAD, ct)
	if err != nil {
		t.Fatalf("ciphertext changed when the plaintext did: %v", err)
	}
	if string(got) != "Jane Doe" {
		t.Fatalf("Open = %q, want %q", got, "Jane Doe")
	}
	for i := range ct {
		ct[i] = 0
	}
	if string(got) != "Jane Doe" {
		t.Errorf("Open's result aliases the ciphertext: %q", got)
	}
}

func TestSealAndOpenRejectAnADWithoutPurpose(t *testing.T) {
	k := newTestDataKey(t, 1)
	noPurpose := AD{UserID: 42, RowKey: "1"}
	if _, err := k.Seal(noPurpose, []byte("x")); !errors.Is(err, errNoPurpose) {
		t.Errorf("Seal = %v, want errNoPurpose", err)
	}
	ct := mustSeal(t, k, orderAD, []byte("x"))
	if _, err := k.Open(noPurpose, ct); !errors.Is(err, errNoPurpose) {
		t.Errorf("Open = %v, want errNoPurpose", err)
	}
}

func TestNewDataKeyRejectsIDZero(t *testing.T) {
	if _, err := NewDataKey(0); !errors.Is(err, errZeroDataKeyID) {
		t.Errorf("NewDataKey(0) = %v, want errZeroDataKeyID", err)
	}
	if id := newTestDataKey(t, 7).ID(); id != 7 {
		t.Errorf("ID() = %d, want 7", id)
	}
}

func TestSealedKeyIDReadsTheHeader(t *testing.T) {
	ct := mustSeal(t, newTestDataKey(t, 0xdeadbeef), orderAD, []byte("x"))
	id, err := SealedKeyID(ct)
	if err != nil || id != 0xdeadbeef {
		t.Errorf("SealedKeyID = %d, %v; want %d", id, err, KeyID(0xdeadbeef))
	}
	ct[0] = 2
	if _, err := SealedKeyID(ct); !errors.Is(err, ErrMalformed) {
		t.Errorf("SealedKeyID of version 2 = %v, want ErrMalformed", err)
	}
}

func TestOpenErrorsNeverContainThePlaintext(t *testing.T) {
	k := newTestDataKey(t, 1)
	const secret = "jane.doe.secret@example.com"
	ct := mustSeal(t, k, orderAD, []byte(secret))
	tampered := bytes.Clone(ct)
	tampered[len(tampered)-1] ^= 1
	for _, c := range [][]byte{tampered, ct[:10], ct} {
		_, err := k.Open(AD{Purpose: orderAD.Purpose, UserID: 1}, c)
		if err == nil {
			t.Fatal("Open succeeded with the wrong AD")
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), orderAD.RowKey) {
			t.Errorf("error %q leaks the plaintext or row key", err)
		}
	}
}

func BenchmarkSeal1KiB(b *testing.B) {
	k := newTestDataKey(b, 1)
	plaintext := bytes.Repeat([]byte("x"), 1024)
	b.SetBytes(int64(len(plaintext)))
	for b.Loop() {
		if _, err := k.Seal(orderAD, plaintext); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen1KiB(b *testing.B) {
	k := newTestDataKey(b, 1)
	plaintext := bytes.Repeat([]byte("x"), 1024)
	ct := mustSeal(b, k, orderAD, plaintext)
	b.SetBytes(int64(len(plaintext)))
	for b.Loop() {
		if _, err := k.Open(orderAD, ct); err != nil {
			b.Fatal(err)
		}
	}
}
