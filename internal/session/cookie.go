package session

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gorilla/securecookie"

	"github.com/profitline/profitline/internal/vault"
)

// maxCookieLen is what browsers reliably keep for one cookie (name, value and attributes together).
const maxCookieLen = 4096

// claims is what the session cookie carries, sealed. IssuedAt never moves when the cookie is re-sealed, which is what
// makes the 30-day cap hold however active the session is.
type claims struct {
	SessionID []byte `json:"s"`
	UserID    int64  `json:"u"`
	IssuedAt  int64  `json:"i"` // unix seconds
	LastSeen  int64  `json:"l"` // unix seconds
	AuthAt    int64  `json:"a"` // unix seconds: sign-in, or the last time the password was entered again
}

// Codec seals cookie values with AES-256-GCM under a vault key ring, binding the cookie's name as associated data so
// a value sealed for one cookie never opens as another. It implements securecookie.Codec; rotation needs no trial
// decryption because every value names the ring key that sealed it.
type Codec struct {
	ring    *vault.KeyRing
	purpose vault.Purpose
}

var _ securecookie.Codec = (*Codec)(nil)

// NewCodec returns a codec for one purpose (e.g. "session.cookie") under ring.
func NewCodec(ring *vault.KeyRing, purpose vault.Purpose) *Codec {
	return &Codec{ring: ring, purpose: purpose}
}

// Encode seals value (JSON) for the cookie called name.
func (c *Codec) Encode(name string, value interface{}) (string, error) {
	plain, err := json.Marshal(value)
	if err != nil {
		return "", fmt.Errorf("session: encode %s: %w", name, err)
	}
	sealed, err := c.ring.Seal(vault.AD{Purpose: c.purpose, RowKey: name}, plain)
	if err != nil {
		return "", err
	}
	out := base64.RawURLEncoding.EncodeToString(sealed)
	if len(name)+len(out) > maxCookieLen-200 { // leave room for the attributes
		return "", fmt.Errorf("session: cookie %s would be %d bytes", name, len(name)+len(out))
	}
	return out, nil
}

// ErrInvalidCookie covers every way a cookie can fail to open: tampered, truncated, sealed for another cookie or
// purpose, or under a key no longer in the ring. Callers treat it as "signed out".
var ErrInvalidCookie = errors.New("session: invalid cookie")

// Decode opens a value sealed by Encode for the same cookie name into dst.
func (c *Codec) Decode(name, value string, dst interface{}) error {
	if len(value) > maxCookieLen {
		return ErrInvalidCookie
	}
	sealed, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return ErrInvalidCookie
	}
	plain, err := c.ring.Open(vault.AD{Purpose: c.purpose, RowKey: name}, sealed)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidCookie, err)
	}
	if err := json.Unmarshal(plain, dst); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidCookie, err)
	}
	return nil
}
