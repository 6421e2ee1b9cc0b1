// Package password hashes and checks sellers' passwords: argon2id hashes in the self-describing PHC string format,
// verification in constant time, a dummy verification that makes an unknown email cost as much as a known one
// (security promise 9), and the policy a new password must meet.
//
// The package is pure: no I/O, no database, no logging. It must never return, log or put into an error message a
// password or a stored hash, and it must never panic on a stored hash, however it was damaged or tampered with.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters and the lengths of the salt and the derived key.
type Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
	SaltLen     uint32 // bytes
	KeyLen      uint32 // bytes
}

// DefaultParams are what sign-up and password changes hash with: 64 MiB, 3 passes, 2 lanes, the settings RFC 9106
// recommends for memory-constrained servers, about 0.1 s on a 2-core machine.
var DefaultParams = Params{Memory: 64 * 1024, Iterations: 3, Parallelism: 2, SaltLen: 16, KeyLen: 32}

// TestParams are the cheapest parameters argon2id allows, for tests of other packages that create users by the
// hundred. Never use them outside tests.
var TestParams = Params{Memory: 8, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// The bounds below apply to the parameters Hash is given and to those read from a stored hash. The upper bounds
// exist because Verify does whatever work a stored hash asks for: a tampered row must not be able to make one
// sign-in allocate gigabytes or spin for minutes.
const (
	maxMemory      = 1 << 20 // KiB: 1 GiB
	maxIterations  = 10
	maxParallelism = 16
	minSaltLen     = 8
	maxSaltLen     = 64
	minKeyLen      = 16
	maxKeyLen      = 64
	// maxEncodedLen is more than the longest string within the caps (about 210 bytes), so decode can refuse a
	// huge tampered value before splitting it.
	maxEncodedLen = 256
)

// ErrMalformedHash is wrapped by every error Verify returns: the stored string is not an argon2id hash this package
// accepts. The wrapping message says which part is wrong and never quotes the string.
var ErrMalformedHash = errors.New("password: stored hash is malformed")

// ErrInvalidParams is wrapped by Hash's error when the parameters are outside the accepted bounds.
var ErrInvalidParams = errors.New("password: invalid argon2id parameters")

// validate reports the first parameter outside the accepted bounds, naming the parameter but not its value, since
// the value may come from a stored hash.
func (p Params) validate() error {
	switch {
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("iterations must be between 1 and %d", maxIterations)
	case p.Parallelism < 1 || p.Parallelism > maxParallelism:
		return fmt.Errorf("parallelism must be between 1 and %d", maxParallelism)
	case p.Memory > maxMemory:
		return errors.New("memory must be at most 1 GiB")
	// argon2 needs 8 KiB per lane; below that x/crypto silently raises the memory, so a hash would claim a cost
	// it did not pay.
	case p.Memory < 8*uint32(p.Parallelism):
		return errors.New("memory must be at least 8 KiB per lane")
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt must be between %d and %d bytes", minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key must be between %d and %d bytes", minKeyLen, maxKeyLen)
	}
	return nil
}

// b64 is the PHC string format's base64: standard alphabet, no padding. Strict, so that together with the
// round-trip check in unbase64 each salt and key has exactly one spelling.
var b64 = base64.RawStdEncoding.Strict()

// Hash derives an argon2id key from pw with a fresh random salt and returns it in the PHC string format:
//
//	$argon2id$v=19$m=65536,t=3,p=2$<salt>$<key>
//
// The string carries its own parameters, so hashes made with older parameters still verify after DefaultParams
// change. The only error is parameters out of bounds.
func Hash(pw string, p Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidParams, err)
	}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt) // never fails: crypto/rand.Read crashes the program rather than return short
	key := argon2.IDKey([]byte(pw), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLen)
	return encode(p, salt, key), nil
}

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether pw is the password encoded was made from, comparing the derived keys in constant time.
// needsRehash is true when pw is right but encoded was made with parameters other than current: the caller should
// then store Hash(pw, current), which it can do only now that it holds the password.
//
// A malformed encoded string, or one whose parameters are out of bounds, is an error wrapping ErrMalformedHash,
// never a panic; ok is then false.
func Verify(pw, encoded string, current Params) (ok bool, needsRehash bool, err error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLen)
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, p != current, nil
}

// VerifyDummy does the work of Verify(pw, h, p) for a hash h made with p, and throws the answer away. Sign-in calls
// it when no seller has the email given, so that answer takes as long as a wrong password for a real seller and
// the timing does not reveal which emails have accounts. Parameters out of bounds are replaced by DefaultParams, so
// the dummy work never silently shrinks to nothing.
func VerifyDummy(pw string, p Params) {
	if p.validate() != nil {
		p = DefaultParams
	}
	// The fixed hash is built here rather than stored, so it always has p's parameters and lengths. Its key is all
	// zeros, which no password derives in practice; and the answer is dropped anyway.
	salt := make([]byte, p.SaltLen)
	for i := range salt {
		salt[i] = byte(i)
	}
	_, _, _ = Verify(pw, encode(p, salt, make([]byte, p.KeyLen)), p)
}

// decode parses a PHC argon2id string strictly: the fields in order, decimal numbers without signs or leading
// zeros, unpadded base64, nothing before or after. Error messages name the bad part, never its content.
func decode(encoded string) (Params, []byte, []byte, error) {
	fail := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	if len(encoded) > maxEncodedLen {
		return fail("longer than any hash within the caps")
	}
	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" {
		return fail("want 5 fields, each after a $")
	}
	if fields[1] != "argon2id" {
		return fail("not an argon2id hash")
	}
	v, ok := strings.CutPrefix(fields[2], "v=")
	if !ok {
		return fail("no version field")
	}
	if n, ok := number(v, 1<<32-1); !ok || n != argon2.Version {
		return fail("unsupported argon2 version")
	}
	costs := strings.Split(fields[3], ",")
	if len(costs) != 3 {
		return fail("want the parameters m, t and p, in that order")
	}
	m, okM := param(costs[0], "m=", maxMemory)
	t, okT := param(costs[1], "t=", maxIterations)
	par, okP := param(costs[2], "p=", maxParallelism)
	if !okM || !okT || !okP {
		return fail("want the parameters m, t and p, in that order, each a number within its cap")
	}
	p := Params{Memory: uint32(m), Iterations: uint32(t), Parallelism: uint8(par)}
	salt, ok := unbase64(fields[4])
	if !ok {
		return fail("salt is not unpadded base64")
	}
	key, ok := unbase64(fields[5])
	if !ok {
		return fail("key is not unpadded base64")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.validate(); err != nil {
		return fail(err.Error())
	}
	return p, salt, key, nil
}

// param parses one "name=number" parameter.
func param(field, name string, max uint64) (uint64, bool) {
	s, found := strings.CutPrefix(field, name)
	if !found {
		return 0, false
	}
	return number(s, max)
}

// unbase64 decodes s and accepts it only if it is the one canonical spelling of what it decodes to: the decoder
// alone would skip line breaks.
func unbase64(s string) ([]byte, bool) {
	b, err := b64.DecodeString(s)
	return b, err == nil && b64.EncodeToString(b) == s
}

// number parses a canonical decimal no greater than max. The length check comes first so that a field of a
// million digits costs nothing.
func number(s string, max uint64) (uint64, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > max {
		return 0, false
	}
	return n, true
}
