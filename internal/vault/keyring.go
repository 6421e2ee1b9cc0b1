package vault

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// dataKeyPurpose is the AD purpose of a wrapped data key; the data key's id is its row key, so a wrapped key moved to
// another tenant or another generation fails to unwrap.
const dataKeyPurpose Purpose = "vault.data_key"

// KeyRing holds the master keys: the first is active and wraps new data keys, the rest stay readable until every
// data key has been rewrapped under the active one. It keeps no raw key bytes, only the ciphers built from them.
type KeyRing struct {
	ids  []KeyID // spec order; ids[0] is active
	keys map[KeyID]*ringKey
}

// ringKey is the pointer hop that keeps a ring key's cipher out of fmt's reach (see DataKey.secret).
type ringKey struct {
	aead cipher.AEAD
}

// ringEntry is one parsed "id:key" entry of a spec.
type ringEntry struct {
	id  KeyID
	key []byte
}

// ParseKeyRing parses a spec of comma-separated id:key entries, e.g. "3:BASE64,2:BASE64". The first entry is the
// active key. An id is a positive decimal uint32; a key is 32 bytes in standard or URL-safe base64, padded or not.
// Whitespace around entries and their parts is ignored. Errors name the entry by position and id, never its text,
// because a mangled entry may be mostly key.
func ParseKeyRing(spec string) (*KeyRing, error) {
	entries, err := parseEntries(spec)
	if err != nil {
		return nil, err
	}
	r := &KeyRing{ids: make([]KeyID, 0, len(entries)), keys: make(map[KeyID]*ringKey, len(entries))}
	for _, e := range entries {
		aead, err := newAEAD(e.key)
		if err != nil {
			return nil, err
		}
		r.ids = append(r.ids, e.id)
		r.keys[e.id] = &ringKey{aead}
	}
	return r, nil
}

func parseEntries(spec string) ([]ringEntry, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, errors.New("vault: key ring is empty; create a key with `profitline keys generate`")
	}
	var entries []ringEntry
	seen := make(map[KeyID]bool)
	for i, entry := range strings.Split(spec, ",") {
		n := i + 1
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("vault: key entry %d is empty (stray comma?)", n)
		}
		idText, keyText, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("vault: key entry %d: expected id:base64key", n)
		}
		id64, err := strconv.ParseUint(strings.TrimSpace(idText), 10, 32)
		if err != nil {
			// Not even the id text is echoed: with id and key swapped, it is the key.
			return nil, fmt.Errorf("vault: key entry %d: id must be a positive decimal number below 2^32", n)
		}
		id := KeyID(id64)
		if id == 0 {
			return nil, fmt.Errorf("vault: key entry %d: id 0 is not allowed; ids start at 1", n)
		}
		if seen[id] {
			return nil, fmt.Errorf("vault: key entry %d (id %d): duplicate key id %d", n, id, id)
		}
		seen[id] = true
		key, err := decodeKey(strings.TrimSpace(keyText))
		if err != nil {
			return nil, fmt.Errorf("vault: key entry %d (id %d): %w", n, id, err)
		}
		entries = append(entries, ringEntry{id: id, key: key})
	}
	return entries, nil
}

// decodeKey accepts the four common base64 flavours, since keys get pasted from many tools. Its errors describe the
// key's shape only.
func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("key is missing")
	}
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if !strings.HasSuffix(s, "=") {
		enc = enc.WithPadding(base64.NoPadding)
	}
	key, err := enc.DecodeString(s)
	if err != nil {
		// CorruptInputError carries only an offset, but we do not wrap it so no future detail can leak the key.
		return nil, errors.New("key is not valid base64 (standard or URL-safe, padded or not)")
	}
	if len(key) != keyLen {
		return nil, fmt.Errorf("key is %d bytes, need %d", len(key), keyLen)
	}
	return key, nil
}

// GenerateKeySpec returns a new "id:base64" entry with 32 bytes from crypto/rand, ready to prepend to a ring spec.
func GenerateKeySpec(id KeyID) (string, error) {
	if id == 0 {
		return "", errors.New("vault: key id must be at least 1")
	}
	key := make([]byte, keyLen)
	rand.Read(key) // never fails: crypto/rand crashes the program rather than return short
	return fmt.Sprintf("%d:%s", id, base64.StdEncoding.EncodeToString(key)), nil
}

// ActiveID returns the id of the key that wraps new data keys.
func (r *KeyRing) ActiveID() KeyID {
	if len(r.ids) == 0 {
		return 0
	}
	return r.ids[0]
}

// IDs returns the ring's key ids in spec order, the active one first.
func (r *KeyRing) IDs() []KeyID {
	return append([]KeyID(nil), r.ids...)
}

// WrapDataKey seals dk under the active ring key, for storage next to the tenant.
func (r *KeyRing) WrapDataKey(userID int64, dk *DataKey) ([]byte, error) {
	if len(r.ids) == 0 {
		return nil, errors.New("vault: key ring has no keys; build it with ParseKeyRing")
	}
	active := r.ids[0]
	return seal(r.keys[active].aead, active, dataKeyAD(userID, dk.id), dk.secret.key[:]), nil
}

// UnwrapDataKey opens a wrapped data key under whichever ring key sealed it. Errors wrap ErrMalformed,
// ErrUnknownKey (the ring lacks that key) or ErrOpen (another user, another data key id, or tampered).
func (r *KeyRing) UnwrapDataKey(userID int64, dataKeyID KeyID, wrapped []byte) (*DataKey, error) {
	op := fmt.Sprintf("unwrap data key %d of user %d", dataKeyID, userID)
	ringID, err := parseHeader(wrapped)
	if err != nil {
		return nil, &opError{op, err}
	}
	key, ok := r.keys[ringID]
	if !ok {
		return nil, &opError{op, fmt.Errorf("%w: ring key id %d, ring has %v", ErrUnknownKey, ringID, r.ids)}
	}
	plaintext, err := open(key.aead, dataKeyAD(userID, dataKeyID), wrapped)
	if err != nil {
		return nil, &opError{op, err}
	}
	// Authentic but the wrong size means something other than a data key was sealed under this AD.
	if len(plaintext) != keyLen {
		return nil, &opError{op, fmt.Errorf("%w: unwrapped key is %d bytes, need %d", ErrMalformed, len(plaintext), keyLen)}
	}
	return newDataKey(dataKeyID, (*[keyLen]byte)(plaintext))
}

// Seal seals plaintext directly under the active ring key. It is for values that belong to no tenant's data key and
// use a ring of their own, such as session cookies (SESSION_KEYS); tenant rows are sealed with a DataKey instead.
func (r *KeyRing) Seal(ad AD, plaintext []byte) ([]byte, error) {
	if len(r.ids) == 0 {
		return nil, errors.New("vault: key ring has no keys; build it with ParseKeyRing")
	}
	if err := ringPurpose(ad); err != nil {
		return nil, err
	}
	return seal(r.keys[r.ids[0]].aead, r.ids[0], ad, plaintext), nil
}

// Open opens a value sealed by Seal under any key still in the ring, so values sealed before a rotation keep
// opening until their key is dropped from the ring.
func (r *KeyRing) Open(ad AD, ciphertext []byte) ([]byte, error) {
	if err := ringPurpose(ad); err != nil {
		return nil, err
	}
	op := "open " + string(ad.Purpose)
	id, err := parseHeader(ciphertext)
	if err != nil {
		return nil, &opError{op, err}
	}
	key, ok := r.keys[id]
	if !ok {
		return nil, &opError{op, fmt.Errorf("%w: key id %d", ErrUnknownKey, id)}
	}
	plaintext, err := open(key.aead, ad, ciphertext)
	if err != nil {
		return nil, &opError{op, err}
	}
	return plaintext, nil
}

// ringPurpose keeps the wrapped-data-key purpose for WrapDataKey alone, so a ring-sealed value can never pass for a
// wrapped data key.
func ringPurpose(ad AD) error {
	switch ad.Purpose {
	case "":
		return errNoPurpose
	case dataKeyPurpose:
		return errors.New("vault: purpose " + string(dataKeyPurpose) + " is reserved for wrapped data keys")
	}
	return nil
}

func dataKeyAD(userID int64, dataKeyID KeyID) AD {
	return AD{Purpose: dataKeyPurpose, UserID: userID, RowKey: strconv.FormatUint(uint64(dataKeyID), 10)}
}

// String is redacted, e.g. "KeyRing{active: 3, ids: [3 2]}". It and GoString have value receivers so that printing
// a KeyRing value, not only a pointer, goes through them too.
func (r KeyRing) String() string {
	return fmt.Sprintf("KeyRing{active: %d, ids: %v}", r.ActiveID(), r.ids)
}

// GoString keeps %#v from dumping the struct.
func (r KeyRing) GoString() string { return "vault." + r.String() }
