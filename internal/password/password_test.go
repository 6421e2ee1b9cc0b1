package password

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

const seller = "correct horse battery staple"

// golden was made by Hash(seller, TestParams) when this package was written. It must verify forever: every stored
// hash depends on the format and the parameter mapping staying as they are.
const golden = "$argon2id$v=19$m=8,t=1,p=1$6iI/X3dazJZLLS5rz8JxYg$nbg0igAW8xaE0cuQ3e6QzEVhjUHOWgkoWE3TyQ4IcRE"

func mustHash(t testing.TB, pw string, p Params) string {
	t.Helper()
	h, err := Hash(pw, p)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	return h
}

func TestHashThenVerifyRoundTrips(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{seller, "", "ünïcödé pässwörd ✓", strings.Repeat("x", 256)} {
		h := mustHash(t, pw, TestParams)
		ok, rehash, err := Verify(pw, h, TestParams)
		if err != nil || !ok || rehash {
			t.Errorf("Verify(%q, Hash(%q)) = %v, %v, %v; want true, false, nil", pw, pw, ok, rehash, err)
		}
	}
}

func TestAHashStoredTodayStillVerifies(t *testing.T) {
	t.Parallel()
	ok, rehash, err := Verify(seller, golden, TestParams)
	if err != nil || !ok || rehash {
		t.Fatalf("Verify(golden) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestHashUsesThePHCFormatWithItsParameters(t *testing.T) {
	t.Parallel()
	h := mustHash(t, seller, DefaultParams)
	const prefix = "$argon2id$v=19$m=65536,t=3,p=2$"
	if !strings.HasPrefix(h, prefix) {
		t.Fatalf("Hash = %q, want prefix %q", h, prefix)
	}
	p, salt, key, err := decode(h)
	if err != nil {
		t.Fatal(err)
	}
	if p != DefaultParams || len(salt) != 16 || len(key) != 32 {
		t.Fatalf("decoded %+v with %d-byte salt and %d-byte key", p, len(salt), len(key))
	}
}

func TestHashSaltsEachPasswordDifferently(t *testing.T) {
	t.Parallel()
	a, b := mustHash(t, seller, TestParams), mustHash(t, seller, TestParams)
	if a == b {
		t.Fatalf("two hashes of one password are equal: %q", a)
	}
}

func TestVerifyRejectsAWrongPassword(t *testing.T) {
	t.Parallel()
	h := mustHash(t, seller, TestParams)
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", seller + " "} {
		ok, rehash, err := Verify(wrong, h, TestParams)
		if err != nil || ok || rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, nil", wrong, ok, rehash, err)
		}
	}
}

func TestVerifyAsksForARehashWhenParamsChange(t *testing.T) {
	t.Parallel()
	h := mustHash(t, seller, TestParams)
	changes := map[string]func(*Params){
		"memory":      func(p *Params) { p.Memory *= 2 },
		"iterations":  func(p *Params) { p.Iterations++ },
		"parallelism": func(p *Params) { p.Parallelism++ },
		"salt length": func(p *Params) { p.SaltLen++ },
		"key length":  func(p *Params) { p.KeyLen++ },
	}
	for name, change := range changes {
		current := TestParams
		change(&current)
		ok, rehash, err := Verify(seller, h, current)
		if err != nil || !ok || !rehash {
			t.Errorf("after a change of %s: Verify = %v, %v, %v; want true, true, nil", name, ok, rehash, err)
		}
	}
	// A wrong password never asks for a rehash: there is nothing the caller could rehash.
	if ok, rehash, _ := Verify("wrong password!", h, DefaultParams); ok || rehash {
		t.Errorf("wrong password under new params: ok=%v rehash=%v; want false, false", ok, rehash)
	}
}

func TestHashRefusesParamsOutsideTheCaps(t *testing.T) {
	t.Parallel()
	bad := map[string]Params{
		"zero":               {},
		"no iterations":      {Memory: 64, Iterations: 0, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		"too many passes":    {Memory: 64, Iterations: 11, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		"no lanes":           {Memory: 64, Iterations: 1, Parallelism: 0, SaltLen: 16, KeyLen: 32},
		"too many lanes":     {Memory: 1024, Iterations: 1, Parallelism: 17, SaltLen: 16, KeyLen: 32},
		"over 1 GiB":         {Memory: 1<<20 + 1, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		"under 8 KiB a lane": {Memory: 15, Iterations: 1, Parallelism: 2, SaltLen: 16, KeyLen: 32},
		"short salt":         {Memory: 8, Iterations: 1, Parallelism: 1, SaltLen: 7, KeyLen: 32},
		"long salt":          {Memory: 8, Iterations: 1, Parallelism: 1, SaltLen: 65, KeyLen: 32},
		"short key":          {Memory: 8, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 15},
		"long key":           {Memory: 8, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 65},
	}
	for name, p := range bad {
		if h, err := Hash(seller, p); !errors.Is(err, ErrInvalidParams) || h != "" {
			t.Errorf("%s: Hash(%+v) = %q, %v; want ErrInvalidParams", name, p, h, err)
		}
	}
	for _, p := range []Params{DefaultParams, TestParams} {
		if err := p.validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}

// withField returns golden with its i-th $-separated field (1 is the algorithm) replaced.
func withField(i int, value string) string {
	fields := strings.Split(golden, "$")
	fields[i] = value
	return strings.Join(fields, "$")
}

// malformed lists damaged and tampered forms of golden, each of which Verify must refuse with an error.
var malformed = map[string]string{
	"empty":                   "",
	"a lone dollar":           "$",
	"no leading dollar":       strings.TrimPrefix(golden, "$"),
	"trailing dollar":         golden + "$",
	"an extra field":          golden + "$AAAA",
	"a missing field":         golden[:strings.LastIndexByte(golden, '$')],
	"argon2i":                 withField(1, "argon2i"),
	"bcrypt":                  "$2a$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
	"no version":              strings.Replace(golden, "$v=19", "", 1),
	"version 16":              withField(2, "v=16"),
	"version not a number":    withField(2, "v=x"),
	"version without v=":      withField(2, "19"),
	"parameters out of order": withField(3, "t=1,m=8,p=1"),
	"a parameter missing":     withField(3, "m=8,t=1"),
	"an extra parameter":      withField(3, "m=8,t=1,p=1,x=1"),
	"an empty parameter":      withField(3, "m=,t=1,p=1"),
	"a signed parameter":      withField(3, "m=+8,t=1,p=1"),
	"a negative parameter":    withField(3, "m=8,t=-1,p=1"),
	"a leading zero":          withField(3, "m=08,t=1,p=1"),
	"a space":                 withField(3, "m=8, t=1,p=1"),
	"a huge number":           withField(3, "m=99999999999999999999999,t=1,p=1"),
	"memory over 1 GiB":       withField(3, "m=1048577,t=1,p=1"),
	"memory under 8 KiB":      withField(3, "m=7,t=1,p=1"),
	"zero passes":             withField(3, "m=8,t=0,p=1"),
	"eleven passes":           withField(3, "m=8,t=11,p=1"),
	"zero lanes":              withField(3, "m=8,t=1,p=0"),
	"256 lanes":               withField(3, "m=4096,t=1,p=256"),
	"salt not base64":         withField(4, "6iI/X3dazJZLLS5rz8JxY!"),
	"salt padded":             withField(4, "6iI/X3dazJZLLS5rz8JxYg=="),
	"salt non-canonical":      withField(4, "6iI/X3dazJZLLS5rz8JxYh"),
	"salt too short":          withField(4, "6iI/X3c"),
	"salt empty":              withField(4, ""),
	"key URL-safe base64":     withField(5, strings.Repeat("-", 43)),
	"key too short":           withField(5, "nbg0igAW8xaE0cuQ3e6Qz"),
	"key empty":               withField(5, ""),
	"key too long":            golden + strings.Repeat("A", 64),
	"a newline at the end":    golden + "\n",
	"a megabyte of dollars":   strings.Repeat("$", 1<<20),
}

func TestTheLongestHashWithinTheCapsParses(t *testing.T) {
	t.Parallel()
	p := Params{Memory: maxMemory, Iterations: maxIterations, Parallelism: maxParallelism, SaltLen: maxSaltLen, KeyLen: maxKeyLen}
	encoded := encode(p, make([]byte, maxSaltLen), make([]byte, maxKeyLen))
	got, _, _, err := decode(encoded)
	if err != nil || got != p {
		t.Fatalf("decode(%d bytes) = %+v, %v; want %+v", len(encoded), got, err, p)
	}
}

func TestVerifyRejectsEachMalformedForm(t *testing.T) {
	t.Parallel()
	for name, encoded := range malformed {
		ok, rehash, err := Verify(seller, encoded, TestParams)
		if !errors.Is(err, ErrMalformedHash) || ok || rehash {
			t.Errorf("%s: Verify = %v, %v, %v; want false, false, ErrMalformedHash", name, ok, rehash, err)
			continue
		}
		msg := err.Error()
		for _, part := range strings.Split(encoded, "$") {
			if len(part) >= 8 && strings.Contains(msg, part) {
				t.Errorf("%s: error %q quotes the stored hash", name, msg)
			}
		}
		if strings.Contains(msg, seller) {
			t.Errorf("%s: error %q contains the password", name, msg)
		}
	}
}

func TestTheHashStringNeverContainsThePassword(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{seller, "Sunflower-Dividend-1984", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa", "q7vIErsJFPbxbFAbzyup"} {
		for range 20 {
			if h := mustHash(t, pw, TestParams); strings.Contains(h, pw) {
				t.Fatalf("Hash(%q) = %q contains the password", pw, h)
			}
		}
	}
}

// The dummy must cost what a real verify costs, and elapsed time is too noisy to assert on a shared machine. What
// makes argon2 expensive is the memory it fills, so the test asserts the bytes allocated: a verify that skipped
// argon2 would allocate a few hundred bytes, not megabytes.
func TestVerifyDummyAllocatesAsMuchAsARealVerify(t *testing.T) {
	p := Params{Memory: 4 * 1024, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}
	h := mustHash(t, seller, p)
	real := allocated(func() { _, _, _ = Verify("not the password", h, p) })
	dummy := allocated(func() { VerifyDummy("not the password", p) })
	const argonMemory = 4 * 1024 * 1024
	if real < argonMemory || dummy < argonMemory {
		t.Fatalf("real verify allocated %d bytes, dummy %d; both should fill argon2's %d", real, dummy, argonMemory)
	}
	if dummy < real*9/10 {
		t.Fatalf("dummy verify allocated %d bytes, a real one %d", dummy, real)
	}
}

func TestVerifyDummyFallsBackToDefaultParamsWhenGivenBadOnes(t *testing.T) {
	if got := allocated(func() { VerifyDummy(seller, Params{}) }); got < 64*1024*1024 {
		t.Fatalf("VerifyDummy with zero params allocated %d bytes; want DefaultParams' 64 MiB", got)
	}
}

func TestVerifyDummyHandlesLongInputs(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"", strings.Repeat("a", 256), strings.Repeat("é", 1<<16), "\x00\xff\xfe"} {
		VerifyDummy(pw, TestParams)
	}
}

func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func BenchmarkHashDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Hash(seller, DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyDefault(b *testing.B) {
	h := mustHash(b, seller, DefaultParams)
	for b.Loop() {
		if ok, _, err := Verify(seller, h, DefaultParams); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkVerifyDummyDefault(b *testing.B) {
	for b.Loop() {
		VerifyDummy(seller, DefaultParams)
	}
}

// FuzzVerify feeds Verify arbitrary stored strings: none may panic, a refused one wraps ErrMalformedHash, and an
// accepted one is in canonical form (re-encoding what was parsed gives back the same string).
func FuzzVerify(f *testing.F) {
	f.Add(golden)
	f.Add("$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43))
	for _, s := range malformed {
		// A huge seed would only slow every mutation down; one just past the length cap covers that check.
		if len(s) <= 2*maxEncodedLen {
			f.Add(s)
		}
	}
	f.Add(golden + strings.Repeat("A", maxEncodedLen-len(golden)+1))
	f.Fuzz(func(t *testing.T, encoded string) {
		p, salt, key, err := decode(encoded)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("decode error %v does not wrap ErrMalformedHash", err)
			}
			if _, _, err := Verify(seller, encoded, TestParams); !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("Verify accepted what decode refused: %v", err)
			}
			return
		}
		if again := encode(p, salt, key); again != encoded {
			t.Fatalf("decode accepted a non-canonical form: %q re-encodes as %q", encoded, again)
		}
		// Accepted strings may ask for up to 1 GiB and 10 passes; only the cheap ones are run, so the fuzzer
		// explores the parser instead of waiting on argon2.
		if uint64(p.Memory)*uint64(p.Iterations) > 1024 {
			return
		}
		ok, _, err := Verify(seller, encoded, TestParams)
		if err != nil {
			t.Fatalf("Verify refused what decode accepted: %v", err)
		}
		if ok && encoded != golden {
			t.Fatalf("Verify accepted a hash it never made: %q", encoded)
		}
	})
}

func ExampleVerify() {
	stored, err := Hash("correct horse battery staple", TestParams)
	if err != nil {
		panic(err)
	}
	ok, needsRehash, err := Verify("correct horse battery staple", stored, DefaultParams)
	fmt.Println(ok, needsRehash, err)
	// Output: true true <nil>
}
