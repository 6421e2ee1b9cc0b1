package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func FuzzOpen(f *testing.F) {
	k := fixedDataKey(f, 1)
	sealed := golden(f)
	f.Add(sealed)
	f.Add(sealed[:minLen])
	f.Add(sealed[:minLen-1])
	f.Add(sealed[:headerLen])
	f.Add([]byte{})
	f.Add([]byte{version1})
	f.Add(append([]byte{version1, 0, 0, 0, 1}, make([]byte, nonceLen+tagLen)...))
	f.Add(append([]byte{2, 0, 0, 0, 1}, sealed[headerLen:]...))
	f.Add(append(bytes.Clone(sealed), 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		id, headerErr := SealedKeyID(data)
		if (headerErr == nil) != (len(data) >= minLen && data[0] == version1) {
			t.Fatalf("SealedKeyID(%x) = %d, %v", data, id, headerErr)
		}
		plaintext, err := k.Open(orderAD, data)
		if err == nil {
			if !bytes.Equal(data, sealed) {
				t.Fatalf("Open accepted bytes it never sealed: %x", data)
			}
			if string(plaintext) != goldenPlaintext {
				t.Fatalf("Open = %q, want %q", plaintext, goldenPlaintext)
			}
			return
		}
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrOpen) {
			t.Fatalf("Open error %v wraps none of the sentinels", err)
		}
		if bytes.Equal(data, sealed) {
			t.Fatalf("Open rejected the sealed value: %v", err)
		}
	})
}

func FuzzParseKeyRing(f *testing.F) {
	f.Add(testSpec(1, 1))
	f.Add(testSpec(3, 3) + "," + testSpec(2, 2))
	f.Add(" 3 : " + strings.TrimRight(testSpec(1, 0xfb)[2:], "=") + " ,\n" + testSpec(9, 9))
	f.Add("1:-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_8")
	f.Add("")
	f.Add(",")
	f.Add("1:")
	f.Add(":")
	f.Add("0:" + testSpec(1, 1)[2:])
	f.Add("4294967295:" + testSpec(1, 1)[2:])
	f.Add(testSpec(1, 1) + "," + testSpec(1, 2))
	f.Add("1:AAAA")
	f.Fuzz(func(t *testing.T, spec string) {
		r, err := ParseKeyRing(spec)
		entries, entriesErr := parseEntries(spec)
		if (err == nil) != (entriesErr == nil) {
			t.Fatalf("ParseKeyRing error %v, parseEntries error %v", err, entriesErr)
		}
		if err != nil {
			// Parts long enough to be key text must not come back; the fixed messages have no such run without spaces.
			for _, part := range strings.FieldsFunc(spec, func(c rune) bool { return c == ',' || c == ':' }) {
				if p := strings.TrimSpace(part); len(p) >= 24 && !strings.ContainsAny(p, " \t\r\n\v\f") && strings.Contains(err.Error(), p) {
					t.Fatalf("error %q echoes input %q", err, p)
				}
			}
			return
		}
		ids := r.IDs()
		if len(ids) == 0 || len(ids) != len(entries) {
			t.Fatalf("IDs() = %v for %d entries", ids, len(entries))
		}
		if r.ActiveID() != ids[0] || ids[0] != entries[0].id {
			t.Fatalf("ActiveID() = %d, IDs() = %v, first entry %d", r.ActiveID(), ids, entries[0].id)
		}
		seen := make(map[KeyID]bool)
		for i, e := range entries {
			if len(e.key) != keyLen {
				t.Fatalf("entry %d key is %d bytes", i+1, len(e.key))
			}
			if e.id == 0 || seen[e.id] || ids[i] != e.id {
				t.Fatalf("entry %d has id %d; ring ids %v", i+1, e.id, ids)
			}
			seen[e.id] = true
		}
	})
}
