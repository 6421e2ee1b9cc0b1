package vault

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// DataKey is one tenant's data key (AES-256). Its id is a per-tenant generation number (1, 2, ...) so a tenant's key
// can itself be rotated later; row ciphertexts carry that id in their header.
type DataKey struct {
	id KeyID
	// Key material sits two pointer hops down, here and in KeyRing. String and GoString redact direct printing, but
	// fmt cannot call methods on a value in another struct's unexported field: it walks it by reflection and, under
	// a verb like %s, expands the first pointer it meets. Whatever lies a second hop down prints as an address.
	secret *dataKeySecret
}

type dataKeySecret struct {
	key  *[keyLen]byte // kept only so the ring can wrap it
	aead cipher.AEAD
}

var errZeroDataKeyID = errors.New("vault: data key id must be at least 1")

// NewDataKey returns a data key of 32 bytes from crypto/rand.
func NewDataKey(id KeyID) (*DataKey, error) {
	if id == 0 {
		return nil, errZeroDataKeyID
	}
	key := new([keyLen]byte)
	rand.Read(key[:]) // never fails: crypto/rand crashes the program rather than return short
	return newDataKey(id, key)
}

func newDataKey(id KeyID, key *[keyLen]byte) (*DataKey, error) {
	aead, err := newAEAD(key[:])
	if err != nil {
		return nil, err
	}
	return &DataKey{id: id, secret: &dataKeySecret{key: key, aead: aead}}, nil
}

// ID returns the key's generation number, the key id in the header of every row it seals.
func (k *DataKey) ID() KeyID { return k.id }

// Seal encrypts plaintext bound to ad. The result is freshly allocated; plaintext is neither modified nor retained.
func (k *DataKey) Seal(ad AD, plaintext []byte) ([]byte, error) {
	if ad.Purpose == "" {
		return nil, errNoPurpose
	}
	return seal(k.secret.aead, k.id, ad, plaintext), nil
}

// Open decrypts a ciphertext sealed by Seal with the same ad. Errors wrap ErrMalformed, ErrUnknownKey (sealed under
// another generation of the tenant's key) or ErrOpen (wrong key, wrong ad, or tampered) and name only the purpose.
func (k *DataKey) Open(ad AD, ciphertext []byte) ([]byte, error) {
	if ad.Purpose == "" {
		return nil, errNoPurpose
	}
	op := "open " + string(ad.Purpose)
	id, err := parseHeader(ciphertext)
	if err != nil {
		return nil, &opError{op, err}
	}
	if id != k.id {
		return nil, &opError{op, fmt.Errorf("%w: key id %d, this data key is %d", ErrUnknownKey, id, k.id)}
	}
	plaintext, err := open(k.secret.aead, ad, ciphertext)
	if err != nil {
		return nil, &opError{op, err}
	}
	return plaintext, nil
}

// SealString is Seal for the common case of a string column.
func (k *DataKey) SealString(ad AD, s string) ([]byte, error) {
	return k.Seal(ad, []byte(s))
}

// OpenString is Open for the common case of a string column.
func (k *DataKey) OpenString(ad AD, ciphertext []byte) (string, error) {
	plaintext, err := k.Open(ad, ciphertext)
	return string(plaintext), err
}

// String is redacted. It and GoString have value receivers so that printing a DataKey value, not only a pointer,
// goes through them too.
func (k DataKey) String() string { return fmt.Sprintf("DataKey{id: %d}", k.id) }

// GoString keeps %#v from dumping the struct.
func (k DataKey) GoString() string { return "vault." + k.String() }
