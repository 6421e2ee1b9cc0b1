package ratelimit_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/ratelimit"
	"github.com/profitline/profitline/internal/testenv"
)

// signIn is the shape of the real sign-in rule: five attempts, then one every 12 s.
var signIn = ratelimit.Rule{Name: "signin-email", Limit: 5, Per: time.Minute}

const interval = 12 * time.Second // signIn.Per / signIn.Limit

const email = "maya.lopez@example.com"

type fixture struct {
	rdb    *redis.Client
	clk    *clock.Fake
	prefix string
	lim    *ratelimit.Limiter
}

// setup gives a test the shared Redis, a fake clock and a prefix of its own, so tests never see each other's keys;
// its keys are deleted when it ends (they would expire anyway).
func setup(t testing.TB) *fixture {
	t.Helper()
	rdb := testenv.Redis(t)
	prefix := "test:" + rand.Text() + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		for _, k := range keys(t, rdb, prefix) {
			rdb.Del(ctx, k)
		}
	})
	clk := clock.NewFake(testenv.Epoch)
	return &fixture{rdb: rdb, clk: clk, prefix: prefix, lim: ratelimit.New(rdb, clk, prefix)}
}

func keys(t testing.TB, rdb *redis.Client, prefix string) []string {
	t.Helper()
	var out []string
	iter := rdb.Scan(context.Background(), 0, prefix+"*", 100).Iterator()
	for iter.Next(context.Background()) {
		out = append(out, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return out
}

func (f *fixture) allow(t testing.TB, r ratelimit.Rule, key string) ratelimit.Decision {
	t.Helper()
	d, err := f.lim.Allow(context.Background(), r, key)
	if err != nil {
		t.Fatalf("Allow: %v", err)
	}
	return d
}

func TestABurstOfLimitIsAllowedThenDeniedForOneInterval(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for i := range signIn.Limit {
		d := f.allow(t, signIn, email)
		if want := signIn.Limit - 1 - i; !d.Allowed || d.Remaining != want || d.RetryAfter != 0 {
			t.Fatalf("event %d: %+v, want allowed with %d remaining", i+1, d, want)
		}
	}
	// Denied attempts are not counted, so retrying early does not push the wait further out.
	for range 3 {
		d := f.allow(t, signIn, email)
		if d.Allowed || d.Remaining != 0 || d.RetryAfter != interval {
			t.Fatalf("event past the burst: %+v, want denied with RetryAfter %v", d, interval)
		}
	}
}

func TestWaitingRetryAfterAllowsExactlyOneMore(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var d ratelimit.Decision
	for range signIn.Limit + 1 {
		d = f.allow(t, signIn, email)
	}
	f.clk.Advance(d.RetryAfter - time.Microsecond)
	if early := f.allow(t, signIn, email); early.Allowed || early.RetryAfter != time.Microsecond {
		t.Fatalf("a microsecond early: %+v, want denied for 1µs more", early)
	}
	f.clk.Advance(time.Microsecond)
	if d := f.allow(t, signIn, email); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("after RetryAfter: %+v, want allowed with 0 remaining", d)
	}
	if d := f.allow(t, signIn, email); d.Allowed || d.RetryAfter != interval {
		t.Fatalf("the next one: %+v, want denied for %v", d, interval)
	}
}

func TestAFullPeriodOfQuietRestoresTheWholeBurst(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for range signIn.Limit + 3 {
		f.allow(t, signIn, email)
	}
	f.clk.Advance(signIn.Per)
	for i := range signIn.Limit {
		if d := f.allow(t, signIn, email); !d.Allowed {
			t.Fatalf("event %d after a quiet period: %+v, want allowed", i+1, d)
		}
	}
	if d := f.allow(t, signIn, email); d.Allowed {
		t.Fatalf("event past the restored burst: %+v, want denied", d)
	}
}

func TestResetClearsTheCount(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for range signIn.Limit + 1 {
		f.allow(t, signIn, email)
	}
	if err := f.lim.Reset(context.Background(), signIn, email); err != nil {
		t.Fatal(err)
	}
	if d := f.allow(t, signIn, email); !d.Allowed || d.Remaining != signIn.Limit-1 {
		t.Fatalf("after Reset: %+v, want allowed with a full burst left", d)
	}
	if err := f.lim.Reset(context.Background(), signIn, "never-seen@example.com"); err != nil {
		t.Fatalf("Reset of a key with no events: %v", err)
	}
}

func TestKeysAndRulesCountIndependently(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for range signIn.Limit + 1 {
		f.allow(t, signIn, email)
	}
	if d := f.allow(t, signIn, "another.seller@example.com"); !d.Allowed || d.Remaining != signIn.Limit-1 {
		t.Fatalf("another key under the same rule: %+v, want a full burst", d)
	}
	reset := ratelimit.Rule{Name: "password-reset", Limit: 3, Per: time.Hour}
	if d := f.allow(t, reset, email); !d.Allowed || d.Remaining != reset.Limit-1 {
		t.Fatalf("the same key under another rule: %+v, want a full burst", d)
	}
}

func TestRedisHoldsNoEmailAndEveryKeyExpires(t *testing.T) {
	t.Parallel()
	f := setup(t)
	emails := []string{email, "Shop+Orders@Example.COM", "wholesale.buyer@example.org"}
	for _, e := range emails {
		f.allow(t, signIn, e)
	}
	got := keys(t, f.rdb, f.prefix)
	if len(got) != len(emails) {
		t.Fatalf("Redis holds %d keys under the prefix, want %d: %q", len(got), len(emails), got)
	}
	want := map[string]bool{}
	for _, e := range emails {
		sum := sha256.Sum256([]byte(e))
		want[f.prefix+"rl:"+signIn.Name+":"+hex.EncodeToString(sum[:])] = true
	}
	for _, k := range got {
		if !want[k] {
			t.Errorf("unexpected key %q", k)
		}
		// Only the part after the test's prefix is ours: the prefix is random text.
		own := strings.ToLower(strings.TrimPrefix(k, f.prefix))
		for _, e := range emails {
			local, _, _ := strings.Cut(strings.ToLower(e), "@")
			if strings.Contains(own, local) || strings.Contains(own, "example") {
				t.Errorf("key %q holds part of %q in clear", k, e)
			}
		}
		value, err := f.rdb.Get(context.Background(), k).Result()
		if err != nil || strings.Contains(value, "@") {
			t.Errorf("value of %q is %q, %v", k, value, err)
		}
		ttl, err := f.rdb.PTTL(context.Background(), k).Result()
		if err != nil || ttl <= 0 || ttl > signIn.Per {
			t.Errorf("key %q has TTL %v (%v), want between 0 and %v", k, ttl, err, signIn.Per)
		}
	}
}

func TestConcurrentAllowsNeverExceedTheLimit(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for range 5 {
				d, err := f.lim.Allow(context.Background(), signIn, email)
				if err != nil {
					t.Error(err)
					return
				}
				if d.Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	// The fake clock stands still, so nothing refills: exactly a burst gets through.
	if got := allowed.Load(); got != int64(signIn.Limit) {
		t.Fatalf("100 concurrent attempts: %d allowed, want exactly %d", got, signIn.Limit)
	}
}

func TestAllowReturnsTheRedisErrorAndDoesNotAllow(t *testing.T) {
	t.Parallel()
	// A port that was just free and is now closed: connections are refused at once.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	lim := ratelimit.New(rdb, clock.NewFake(testenv.Epoch), "test:")

	d, err := lim.Allow(context.Background(), signIn, email)
	if err == nil || d.Allowed {
		t.Fatalf("Allow with Redis down = %+v, %v; want an error and not allowed", d, err)
	}
	if strings.Contains(err.Error(), email) || strings.Contains(err.Error(), "maya") {
		t.Fatalf("error %q contains the key", err)
	}
	if err := lim.Reset(context.Background(), signIn, email); err == nil {
		t.Fatal("Reset with Redis down returned no error")
	}
}

func TestInvalidRulesAreRefusedBeforeRedis(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, r := range []ratelimit.Rule{
		{Name: "", Limit: 5, Per: time.Minute},
		{Name: "zero-limit", Limit: 0, Per: time.Minute},
		{Name: "negative-limit", Limit: -1, Per: time.Minute},
		{Name: "zero-period", Limit: 5, Per: 0},
		{Name: "sub-microsecond", Limit: 5, Per: time.Nanosecond},
		{Name: "two-years", Limit: 5, Per: 2 * 365 * 24 * time.Hour},
		{Name: "huge-limit", Limit: 2_000_000_000, Per: time.Hour},
	} {
		if d, err := f.lim.Allow(context.Background(), r, email); err == nil || d.Allowed {
			t.Errorf("Allow under %+v = %+v, %v; want an error", r, d, err)
		}
		if err := f.lim.Reset(context.Background(), r, email); err == nil {
			t.Errorf("Reset under %+v returned no error", r)
		}
	}
	if got := keys(t, f.rdb, f.prefix); len(got) != 0 {
		t.Fatalf("invalid rules left keys: %q", got)
	}
}

func BenchmarkAllow(b *testing.B) {
	rdb := testenv.Redis(b)
	prefix := "bench:" + rand.Text() + ":"
	// The real clock and a rule that never denies: every call takes the longer path that writes the key.
	lim := ratelimit.New(rdb, clock.System{}, prefix)
	rule := ratelimit.Rule{Name: "bench", Limit: 1_000_000_000, Per: time.Second}
	ctx := context.Background()
	b.Cleanup(func() { lim.Reset(ctx, rule, email) })
	for b.Loop() {
		if _, err := lim.Allow(ctx, rule, email); err != nil {
			b.Fatal(err)
		}
	}
}
