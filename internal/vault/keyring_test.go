package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// testKey returns 32 bytes of fill, so each test key is recognisable and distinct.
func testKey(fill byte) []byte { return bytes.Repeat([]byte{fill}, keyLen) }

func testSpec(id KeyID, fill byte) string {
	return fmt.Sprintf("%d:%s", id, base64.StdEncoding.EncodeToString(testKey(fill)))
}

func parseTestRing(t testing.TB, spec string) *KeyRing {
	t.Helper()
	r, err := ParseKeyRing(spec)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustWrap(t testing.TB, r *KeyRing, userID int64, dk *DataKey) []byte {
	t.Helper()
	wrapped, err := r.WrapDataKey(userID, dk)
	if err != nil {
		t.Fatal(err)
	}
	return wrapped
}

func TestParseKeyRingRejectsBadSpecsWithSpecificErrors(t *testing.T) {
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, n)) }
	key := b64(32)
	tests := []struct {
		name, spec, want string
	}{
		{"empty", "", "vault: key ring is empty; create a key with `profitline keys generate`"},
		{"only whitespace", " \t\n ", "vault: key ring is empty; create a key with `profitline keys generate`"},
		{"missing colon", "1" + key, "vault: key entry 1: expected id:base64key"},
		{"stray comma", "1:" + key + ",", "vault: key entry 2 is empty (stray comma?)"},
		{"id 0", "0:" + key, "vault: key entry 1: id 0 is not allowed; ids start at 1"},
		{"negative id", "-1:" + key, "vault: key entry 1: id must be a positive decimal number below 2^32"},
		{"non-numeric id", "one:" + key, "vault: key entry 1: id must be a positive decimal number below 2^32"},
		{"id above uint32", "4294967296:" + key, "vault: key entry 1: id must be a positive decimal number below 2^32"},
		{"id and key swapped", key + ":1", "vault: key entry 1: id must be a positive decimal number below 2^32"},
		{"missing key", "2:" + key + ",1:", "vault: key entry 2 (id 1): key is missing"},
		{"bad base64", "1:" + key[:40] + "!!!=", "vault: key entry 1 (id 1): key is not valid base64 (standard or URL-safe, padded or not)"},
		{"mixed alphabets", "1:+-" + key[2:], "vault: key entry 1 (id 1): key is not valid base64 (standard or URL-safe, padded or not)"},
		{"16-byte key", "3:" + key + ",7:" + b64(16), "vault: key entry 2 (id 7): key is 16 bytes, need 32"},
		{"33-byte key", "1:" + b64(33), "vault: key entry 1 (id 1): key is 33 bytes, need 32"},
		{"duplicate id", "3:" + key + ", 2:" + key + ",3:" + key, "vault: key entry 3 (id 3): duplicate key id 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseKeyRing(tt.spec)
			if err == nil {
				t.Fatalf("ParseKeyRing succeeded: %v", r)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q\n          want %q", err, tt.want)
			}
		})
	}
}

func TestParseKeyRingErrorsNeverContainKeyMaterial(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdefghijklmnopqrstuv"))
	specs := []string{
		key,
		key + ":1",
		"x" + key + ":" + key,
		"1:" + key + "!",
		"1:" + key[:20],
		"1:" + key + key,
		"0:" + key,
		"1:" + key + ",1:" + key,
		"1:" + key + ",",
		"1:" + key + ",2:" + key[:24],
		" " + key + " , 1:" + key,
	}
	for _, spec := range specs {
		_, err := ParseKeyRing(spec)
		if err == nil {
			t.Errorf("ParseKeyRing(%q) succeeded", spec)
			continue
		}
		// No run of 8 characters from the key may appear; the fixed messages contain none.
		for i := 0; i+8 <= len(key); i++ {
			if strings.Contains(err.Error(), key[i:i+8]) {
				t.Errorf("error %q contains key text %q", err, key[i:i+8])
				break
			}
		}
	}
}

func TestParseKeyRingAcceptsPaddedRawAndURLSafeBase64(t *testing.T) {
	// 0xfb 0xff encodes to "+/" in the standard alphabet and "-_" in the URL-safe one; 32 bytes need one "=".
	key := bytes.Repeat([]byte{0xfb, 0xff}, keyLen/2)
	dk := newTestDataKey(t, 1)
	reference := parseTestRing(t, "1:"+base64.StdEncoding.EncodeToString(key))
	wrapped := mustWrap(t, reference, 42, dk)
	encodings := []struct {
		name string
		enc  *base64.Encoding
	}{
		{"standard padded", base64.StdEncoding},
		{"standard unpadded", base64.RawStdEncoding},
		{"URL-safe padded", base64.URLEncoding},
		{"URL-safe unpadded", base64.RawURLEncoding},
	}
	for _, e := range encodings {
		t.Run(e.name, func(t *testing.T) {
			spec := " \n1 : " + e.enc.EncodeToString(key) + " \t"
			r, err := ParseKeyRing(spec)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.UnwrapDataKey(42, dk.ID(), wrapped); err != nil {
				t.Errorf("ring parsed from %s base64 holds a different key: %v", e.name, err)
			}
		})
	}
}

func TestParseKeyRingKeepsSpecOrderAndMakesTheFirstKeyActive(t *testing.T) {
	r := parseTestRing(t, testSpec(3, 3)+","+testSpec(1, 1)+","+testSpec(2, 2))
	if got, want := r.IDs(), []KeyID{3, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("IDs() = %v, want %v", got, want)
	}
	if r.ActiveID() != 3 {
		t.Errorf("ActiveID() = %d, want 3", r.ActiveID())
	}
	if id, err := SealedKeyID(mustWrap(t, r, 42, newTestDataKey(t, 1))); err != nil || id != 3 {
		t.Errorf("wrapped under key %d (%v), want the active key 3", id, err)
	}
	r.IDs()[0] = 9
	if r.ActiveID() != 3 {
		t.Error("mutating the slice from IDs() changed the ring")
	}
}

func TestGenerateKeySpecProducesAParsableRandomKey(t *testing.T) {
	a, err := GenerateKeySpec(5)
	if err != nil {
		t.Fatal(err)
	}
	b, err := GenerateKeySpec(4)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a, "5:") {
		t.Errorf("GenerateKeySpec(5) = entry with another id")
	}
	if a[2:] == b[2:] {
		t.Error("two generated keys are identical")
	}
	r := parseTestRing(t, a+","+b)
	if !slices.Equal(r.IDs(), []KeyID{5, 4}) {
		t.Errorf("IDs() = %v, want [5 4]", r.IDs())
	}
	if _, err := GenerateKeySpec(0); err == nil {
		t.Error("GenerateKeySpec(0) succeeded; id 0 cannot be parsed back")
	}
}

func TestWrappedDataKeyUnwrapsToTheSameKey(t *testing.T) {
	r := parseTestRing(t, testSpec(1, 1))
	dk := newTestDataKey(t, 2)
	wrapped := mustWrap(t, r, 42, dk)
	if len(wrapped) != minLen+keyLen {
		t.Errorf("wrapped key is %d bytes, want %d", len(wrapped), minLen+keyLen)
	}
	got, err := r.UnwrapDataKey(42, 2, wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID() != 2 {
		t.Errorf("unwrapped ID() = %d, want 2", got.ID())
	}
	if s, err := got.OpenString(orderAD, mustSeal(t, dk, orderAD, []byte("Jane Doe"))); err != nil || s != "Jane Doe" {
		t.Errorf("unwrapped key cannot open the original's ciphertext: %q, %v", s, err)
	}
}

func TestUnwrapDataKeyFailsWhenMovedTamperedOrItsRingKeyIsMissing(t *testing.T) {
	r := parseTestRing(t, testSpec(1, 1))
	wrapped := mustWrap(t, r, 42, newTestDataKey(t, 1))
	tampered := bytes.Clone(wrapped)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name      string
		ring      *KeyRing
		userID    int64
		dataKeyID KeyID
		wrapped   []byte
		want      error
	}{
		{"copied to another user", r, 43, 1, wrapped, ErrOpen},
		{"read as another data key id", r, 42, 2, wrapped, ErrOpen},
		{"ring with another key under the same id", parseTestRing(t, testSpec(1, 2)), 42, 1, wrapped, ErrOpen},
		{"ring lacking the key", parseTestRing(t, testSpec(2, 2)), 42, 1, wrapped, ErrUnknownKey},
		{"tampered", r, 42, 1, tampered, ErrOpen},
		{"truncated", r, 42, 1, wrapped[:minLen-1], ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dk, err := tt.ring.UnwrapDataKey(tt.userID, tt.dataKeyID, tt.wrapped)
			if !errors.Is(err, tt.want) {
				t.Fatalf("UnwrapDataKey = %v, %v; want %v", dk, err, tt.want)
			}
		})
	}
}

func TestUnwrapDataKeyRejectsAnAuthenticValueOfTheWrongSize(t *testing.T) {
	r := parseTestRing(t, testSpec(1, 1))
	notAKey := seal(r.keys[1].aead, 1, dataKeyAD(42, 1), make([]byte, 16))
	if _, err := r.UnwrapDataKey(42, 1, notAKey); !errors.Is(err, ErrMalformed) {
		t.Errorf("UnwrapDataKey = %v, want ErrMalformed", err)
	}
}

func TestRotatedRingStillUnwrapsOldKeysAndRewrapsUnderTheActiveKey(t *testing.T) {
	a, b := testSpec(1, 0xaa), testSpec(2, 0xbb)
	dk := newTestDataKey(t, 1)
	oldWrap := mustWrap(t, parseTestRing(t, a), 42, dk)

	rotated := parseTestRing(t, b+","+a)
	unwrapped, err := rotated.UnwrapDataKey(42, 1, oldWrap)
	if err != nil {
		t.Fatalf("rotated ring cannot unwrap a key wrapped before rotation: %v", err)
	}
	newWrap := mustWrap(t, rotated, 42, unwrapped)
	if id, err := SealedKeyID(newWrap); err != nil || id != 2 {
		t.Fatalf("rewrapped under key %d (%v), want the new active key 2", id, err)
	}

	retired := parseTestRing(t, b)
	if _, err := retired.UnwrapDataKey(42, 1, newWrap); err != nil {
		t.Errorf("ring without the retired key cannot unwrap the rewrapped key: %v", err)
	}
	if _, err := retired.UnwrapDataKey(42, 1, oldWrap); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("ring without the retired key: unwrap of the old wrap = %v, want ErrUnknownKey", err)
	}
}

func TestWrapDataKeyOnAnEmptyRingFails(t *testing.T) {
	if _, err := new(KeyRing).WrapDataKey(42, newTestDataKey(t, 1)); err == nil {
		t.Error("WrapDataKey on a zero KeyRing succeeded")
	}
}

func TestPrintingKeysNeverRevealsKeyBytes(t *testing.T) {
	spec, err := GenerateKeySpec(3)
	if err != nil {
		t.Fatal(err)
	}
	ringKey, err := base64.StdEncoding.DecodeString(spec[2:])
	if err != nil {
		t.Fatal(err)
	}
	ring := parseTestRing(t, spec+","+testSpec(2, 2))
	dk := newTestDataKey(t, 1)

	// fmt can call String on exported fields only; unexported ones it walks by reflection.
	type holder struct {
		Ring    *KeyRing
		Key     *DataKey
		RingVal KeyRing
		KeyVal  DataKey
		ring    *KeyRing
		key     *DataKey
		ringVal KeyRing
		keyVal  DataKey
	}
	values := map[string]any{
		"*KeyRing":            ring,
		"KeyRing":             *ring,
		"*DataKey":            dk,
		"DataKey":             *dk,
		"struct holding both": holder{ring, dk, *ring, *dk, ring, dk, *ring, *dk},
		"pointer to it":       &holder{ring, dk, *ring, *dk, ring, dk, *ring, *dk},
		"slice of them":       []any{ring, *ring, dk, *dk},
		"map of values":       map[string]DataKey{"k": *dk},
	}
	secrets := map[string][]byte{"ring key": ringKey, "data key": dk.secret.key[:]}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			out := fmt.Sprintf(verb, v)
			for secretName, secret := range secrets {
				for _, leak := range []string{
					string(secret),
					base64.StdEncoding.EncodeToString(secret)[:16],
					base64.URLEncoding.EncodeToString(secret)[:16],
					hex.EncodeToString(secret)[:16],
					strings.ToUpper(hex.EncodeToString(secret)[:16]),
					fmt.Sprint(secret)[:16],
				} {
					if strings.Contains(out, leak) {
						t.Errorf("%s printed with %s reveals the %s: %s", name, verb, secretName, out)
					}
				}
			}
		}
	}
	if got, want := ring.String(), "KeyRing{active: 3, ids: [3 2]}"; got != want {
		t.Errorf("KeyRing.String() = %q, want %q", got, want)
	}
	if got, want := fmt.Sprintf("%#v", dk), "vault.DataKey{id: 1}"; got != want {
		t.Errorf("%%#v of a DataKey = %q, want %q", got, want)
	}
}

func TestRingSealedValuesOpenAcrossRotationAndOnlyWithTheirAD(t *testing.T) {
	oldSpec, _ := GenerateKeySpec(1)
	newSpec, _ := GenerateKeySpec(2)
	old, err := ParseKeyRing(oldSpec)
	if err != nil {
		t.Fatal(err)
	}
	ad := AD{Purpose: "session.cookie", RowKey: "__Host-session"}
	ct, err := old.Seal(ad, []byte("session 42"))
	if err != nil {
		t.Fatal(err)
	}
	rotated, _ := ParseKeyRing(newSpec + "," + oldSpec)
	if pt, err := rotated.Open(ad, ct); err != nil || string(pt) != "session 42" {
		t.Fatalf("rotated ring opening an old value = %q, %v", pt, err)
	}
	fresh, _ := rotated.Seal(ad, []byte("x"))
	if id, _ := SealedKeyID(fresh); id != 2 {
		t.Fatalf("new values sealed under key %d; want the active key 2", id)
	}
	if _, err := rotated.Open(AD{Purpose: "session.cookie", RowKey: "other-cookie"}, ct); !errors.Is(err, ErrOpen) {
		t.Errorf("value opened under another row key: %v", err)
	}
	onlyNew, _ := ParseKeyRing(newSpec)
	if _, err := onlyNew.Open(ad, ct); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("value opened after its key left the ring: %v", err)
	}
	// A data key's wrapping purpose is reserved, so a ring-sealed value can never pass for a wrapped data key.
	if _, err := old.Seal(AD{Purpose: dataKeyPurpose}, []byte("k")); err == nil {
		t.Error("Seal accepted the reserved data key purpose")
	}
}
