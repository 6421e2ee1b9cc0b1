// Package vault encrypts tenant data at rest (security promise 3).
//
// A KeyRing holds the master keys, parsed from a spec string that the config package reads from the environment.
// The ring wraps one DataKey per tenant; the tenant's rows are sealed with that data key. Destroying a tenant's
// wrapped data key makes every ciphertext of that tenant unreadable, backups included (crypto-shredding).
//
// Every ciphertext, wrapped data keys included, has the same layout:
//
//	version (1 byte) | key id (uint32, big-endian) | nonce (12 random bytes) | AES-256-GCM ciphertext and 16-byte tag
//
// The associated data binds a ciphertext to its header and to an AD (purpose, user id, row key), so a ciphertext
// copied into another row, column or tenant fails to open.
//
// The package is pure: no I/O, no database, no environment. It must never log, print or return key material or
// plaintext, in errors or anywhere else; keys and rings print redacted.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// KeyID names a key inside a ciphertext header: a ring key's id for wrapped data keys, a data key's generation for
// rows.
type KeyID uint32

// Purpose names what a sealed value is, e.g. "users.email", "tiktok_grants.access_token".
type Purpose string

// AD is the associated data bound into a sealed value.
type AD struct {
	Purpose Purpose
	UserID  int64
	RowKey  string // the row's natural key, e.g. an order id; "" allowed only if the row has none
}

// Errors from Open, OpenString, UnwrapDataKey and SealedKeyID wrap one of these; test with errors.Is.
var (
	ErrMalformed  = errors.New("vault: malformed ciphertext") // too short, wrong version
	ErrUnknownKey = errors.New("vault: ciphertext sealed under an unknown key")
	ErrOpen       = errors.New("vault: ciphertext failed authentication") // wrong key, tampered, or wrong AD
)

// errNoPurpose catches an AD left at its zero value: a value sealed without a purpose could be swapped between
// columns of the same row unnoticed.
var errNoPurpose = errors.New("vault: associated data has no purpose")

const (
	version1  byte = 1
	headerLen      = 1 + 4 // version, key id
	nonceLen       = 12
	tagLen         = 16
	minLen         = headerLen + nonceLen + tagLen // the sealing of an empty plaintext
	keyLen         = 32                            // AES-256
)

// newAEAD returns AES-256-GCM with random 96-bit nonces drawn by the standard library from the same generator as
// crypto/rand. Random nonces are safe for up to 2^32 seals per key (NIST SP 800-38D); every tenant has its own data
// key and ring keys seal only data keys, so we stay far below that.
func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err) // aes only reports the key length, never the key
	}
	return cipher.NewGCMWithRandomNonce(block)
}

// seal returns header | nonce | sealed bytes. The output is freshly allocated, so it never aliases plaintext.
func seal(aead cipher.AEAD, id KeyID, ad AD, plaintext []byte) []byte {
	out := make([]byte, headerLen, headerLen+aead.Overhead()+len(plaintext))
	out[0] = version1
	binary.BigEndian.PutUint32(out[1:headerLen], uint32(id))
	return aead.Seal(out, nil, plaintext, ad.encode(out[:headerLen]))
}

// open authenticates and decrypts a ciphertext whose header was already checked by parseHeader.
func open(aead cipher.AEAD, ad AD, ciphertext []byte) ([]byte, error) {
	plaintext, err := aead.Open(nil, nil, ciphertext[headerLen:], ad.encode(ciphertext[:headerLen]))
	if err != nil {
		return nil, ErrOpen
	}
	return plaintext, nil
}

// encode lays out the associated data so that no two different (header, AD) pairs encode the same: the header has a
// fixed length and every variable field is length-prefixed. It always allocates, because AEAD.Seal forbids
// associated data that overlaps its output.
func (ad AD) encode(header []byte) []byte {
	b := make([]byte, 0, len(header)+8+len(ad.Purpose)+8+8+len(ad.RowKey))
	b = append(b, header...)
	b = binary.BigEndian.AppendUint64(b, uint64(len(ad.Purpose)))
	b = append(b, ad.Purpose...)
	b = binary.BigEndian.AppendUint64(b, uint64(ad.UserID))
	b = binary.BigEndian.AppendUint64(b, uint64(len(ad.RowKey)))
	return append(b, ad.RowKey...)
}

// SealedKeyID reports which key sealed a ciphertext. It reads the header only, so it is how a re-encryption job finds
// values not yet under the active key.
func SealedKeyID(ciphertext []byte) (KeyID, error) {
	return parseHeader(ciphertext)
}

func parseHeader(ciphertext []byte) (KeyID, error) {
	if len(ciphertext) < minLen {
		return 0, fmt.Errorf("%w: %d bytes, need at least %d", ErrMalformed, len(ciphertext), minLen)
	}
	if v := ciphertext[0]; v != version1 {
		return 0, fmt.Errorf("%w: unknown version %d", ErrMalformed, v)
	}
	return KeyID(binary.BigEndian.Uint32(ciphertext[1:headerLen])), nil
}

// opError adds the failed operation and its non-secret arguments to a sentinel-wrapping error, reading
// "vault: open users.email: ciphertext failed authentication" rather than repeating the package prefix.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string {
	return "vault: " + e.op + ": " + strings.TrimPrefix(e.err.Error(), "vault: ")
}

func (e *opError) Unwrap() error { return e.err }
