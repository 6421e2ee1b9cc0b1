package tiktok

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
)

// A page is JSON that has already been checked (quickEnvelope checks every byte of the body), so splitting it into the
// records and keys a page is read by needs no second check: these functions only find where each value starts and ends,
// an order of magnitude faster than decoding into json.RawMessage values, which checks and copies every byte again at
// each level. The parts they return share the input's bytes. They never panic, and on input that is not valid JSON they
// may give wrong boundaries but never read outside it: call them only on checked JSON.

var (
	errNotObject = errors.New("not an object")
	errNotArray  = errors.New("not an array")
)

// objectMembers splits a checked JSON object into its members, as decoding it into a map[string]json.RawMessage
// would (a repeated key keeps its last value), without copying the values.
func objectMembers(raw []byte) (map[string]json.RawMessage, error) {
	members, ok := orderedMembers(raw)
	if !ok {
		return nil, errNotObject
	}
	out := make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		out[m.key] = m.value
	}
	return out, nil
}

// object is a JSON object as a map[string]json.RawMessage field reads it (null is nil, a repeated key keeps its
// last value, an object given twice adds to the first), split out of one copy of it instead of decoded and copied
// value by value: a settlement row holds four, an order its payment. The decoder has checked the bytes it hands
// over.
type object map[string]json.RawMessage

func (o *object) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*o = nil
		return nil
	}
	m, err := objectMembers(bytes.Clone(b))
	if err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[object]()}
	}
	if *o == nil {
		*o = m
		return nil
	}
	maps.Copy(*o, m)
	return nil
}

// jsonKind names the kind of a JSON value as encoding/json's errors do.
func jsonKind(b []byte) string {
	if i := skipSpace(b, 0); i < len(b) {
		switch b[i] {
		case '"':
			return "string"
		case '[':
			return "array"
		case 't', 'f':
			return "bool"
		}
	}
	return "number"
}

// member is one key and value of an object.
type member struct {
	key   string
	value json.RawMessage
}

// orderedMembers splits a checked JSON object into its members in order, repeated keys included.
func orderedMembers(raw []byte) ([]member, bool) {
	var out []member
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return out, true
	}
	for i < len(raw) {
		end := skipString(raw, i)
		key, err := objectKey(raw[i:end])
		if err != nil {
			return nil, false
		}
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return nil, false
		}
		start := skipSpace(raw, i+1)
		end = skipValue(raw, start)
		out = append(out, member{key, raw[start:end:end]})
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return out, true
		default:
			return nil, false
		}
	}
	return nil, false
}

// objectKey reads a key as encoding/json does: a plain ASCII key is its bytes, anything else is decoded by it.
func objectKey(quoted []byte) (string, error) {
	if plainString(quoted) {
		return string(quoted[1 : len(quoted)-1]), nil
	}
	var key string
	if err := json.Unmarshal(quoted, &key); err != nil {
		return "", err
	}
	return key, nil
}

// arrayElements splits a checked JSON array into its elements without copying them.
func arrayElements(raw []byte) ([]json.RawMessage, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, errNotArray
	}
	var out []json.RawMessage
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		return []json.RawMessage{}, nil
	}
	for i < len(raw) {
		end := skipValue(raw, i)
		out = append(out, raw[i:end:end])
		i = skipSpace(raw, end)
		if i >= len(raw) {
			break
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case ']':
			return out, nil
		default:
			return nil, errNotArray
		}
	}
	return nil, errNotArray
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipValue returns where the value starting at b[i] ends.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	default: // a number, true, false or null
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\n', '\r', '\t':
				return i
			}
			i++
		}
		return len(b)
	}
}

// skipString returns where the string starting at b[i] (a quote) ends, after its closing quote.
func skipString(b []byte, i int) int {
	i++
	for i < len(b) {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return len(b)
		}
		i += q
		// The quote is escaped when an odd number of backslashes precede it.
		n := 0
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			n++
		}
		i++
		if n%2 == 0 {
			return i
		}
	}
	return len(b)
}

// plainString says whether quoted is a JSON string whose text is its bytes: printable ASCII, no escapes. Decoding
// such a string is taking what lies between its quotes.
func plainString(quoted []byte) bool {
	if len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
		return false
	}
	for _, c := range quoted[1 : len(quoted)-1] {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
