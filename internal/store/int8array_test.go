package store

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

// The fast bigint[] path writes exactly what pgx's codec writes, for every []int64 (nil is NULL), and leaves every
// other value to it.
func TestInt64Arrays(t *testing.T) {
	fast, plain := pgtype.NewMap(), pgtype.NewMap()
	registerCodecs(fast)
	if _, ok := fast.TypeForOID(pgtype.Int8ArrayOID); !ok {
		t.Fatal("bigint[] is not registered")
	}
	long := make([]int64, 63_000)
	for i := range long {
		long[i] = rand.Int64() - math.MaxInt64/2
	}
	cases := map[string]any{
		"nil":     []int64(nil),
		"empty":   []int64{},
		"one":     []int64{42},
		"edges":   []int64{0, -1, 1, math.MinInt64, math.MaxInt64, 255, 256, -256},
		"long":    long,
		"int32s":  []int32{1, -2, 3}, // not the fast path
		"pointer": []*int64{nil, new(int64)},
	}
	for name, v := range cases {
		for _, format := range []int16{pgtype.BinaryFormatCode, pgtype.TextFormatCode} {
			want, err := plain.Encode(pgtype.Int8ArrayOID, format, v, []byte("prefix"))
			if err != nil {
				t.Fatalf("%s: pgx: %v", name, err)
			}
			got, err := fast.Encode(pgtype.Int8ArrayOID, format, v, []byte("prefix"))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !bytes.Equal(got, want) || (got == nil) != (want == nil) {
				t.Errorf("%s, format %d: %d bytes (nil %t), pgx writes %d (nil %t)", name, format, len(got), got == nil, len(want), want == nil)
			}
		}
	}
	// Decoding is pgx's.
	enc, _ := fast.Encode(pgtype.Int8ArrayOID, pgtype.BinaryFormatCode, []int64{7, -7}, nil)
	var back []int64
	if err := fast.Scan(pgtype.Int8ArrayOID, pgtype.BinaryFormatCode, enc, &back); err != nil || len(back) != 2 || back[0] != 7 || back[1] != -7 {
		t.Fatalf("scanned %v, %v", back, err)
	}
}

// BenchmarkInt64Arrays encodes a batch of 500 orders' profit measures (63,000), as pgx does and as the fast path does.
func BenchmarkInt64Arrays(b *testing.B) {
	v := make([]int64, 63_000)
	for i := range v {
		v[i] = int64(i) * 1001
	}
	for name, m := range map[string]*pgtype.Map{"pgx": pgtype.NewMap(), "fast": func() *pgtype.Map { m := pgtype.NewMap(); registerCodecs(m); return m }()} {
		b.Run(name, func(b *testing.B) {
			var buf []byte
			for b.Loop() {
				var err error
				if buf, err = m.Encode(pgtype.Int8ArrayOID, pgtype.BinaryFormatCode, v, buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
