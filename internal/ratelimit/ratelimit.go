// Package ratelimit limits how often an action may happen per key (an email, an IP address, a user id), with the
// state in Redis so every server instance shares one count (security promise 9: sign-in, sign-up, password reset,
// OAuth start, manual sync, import and export).
//
// The algorithm is GCRA, the generic cell rate algorithm: a rule of Limit events per Per allows a burst of Limit at
// once and then refills smoothly, one event every Per/Limit, rather than all at once at a window's edge. Redis holds
// one number per key, the theoretical arrival time of the next event; one Lua script reads and updates it, so a
// decision is atomic and one round trip.
//
// The package must never put a caller's key into Redis or into an error in clear: keys are often emails, so each is
// replaced by its SHA-256 before use. It never reads the time from Redis either: now comes from the injected
// clock.Clock, so tests can move time and every instance agrees with its own logs.
package ratelimit

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/profitline/profitline/internal/clock"
)

// Rule allows Limit events per Per for each key, all Limit of them at once if they come in a burst. Name tells rules
// apart in Redis, so two rules never share a count; keep it short and stable (e.g. "signin-email").
type Rule struct {
	Name  string
	Limit int
	Per   time.Duration
}

// Decision is the answer to one Allow.
type Decision struct {
	Allowed bool
	// Remaining is how many more events the key could have right now.
	Remaining int
	// RetryAfter is, when not Allowed, how long until one more event is allowed (the Retry-After of a 429); zero
	// when Allowed.
	RetryAfter time.Duration
}

// Limiter decides, per rule and key, whether an event may happen. It is safe for concurrent use.
type Limiter struct {
	rdb    redis.UniversalClient
	clk    clock.Clock
	prefix string
}

// New returns a Limiter whose keys in Redis are prefix + "rl:" + rule name + ":" + SHA-256 of the key, in hex.
func New(rdb redis.UniversalClient, clk clock.Clock, prefix string) *Limiter {
	return &Limiter{rdb: rdb, clk: clk, prefix: prefix}
}

// gcra is the whole decision. It runs atomically in Redis, so concurrent requests for one key, from any number of
// instances, are decided one after the other.
//
//go:embed gcra.lua
var gcraSource string

var gcra = redis.NewScript(gcraSource)

// Allow records an event for key under r if r allows it now, and says whether it did. A denied event is not
// recorded, so a client that keeps retrying too early does not push its own RetryAfter further out.
//
// The key is used exactly as given: normalise it first (an email trimmed and lower-cased), or "A@x.com" and
// "a@x.com" get separate counts.
//
// When Redis cannot be reached or fails, Allow returns the error with a zero Decision, which does not allow: a
// caller that ignores the error fails closed. Whether to fail open instead (let the request through while Redis is
// down) is the caller's choice, rule by rule. The error never contains the key.
func (l *Limiter) Allow(ctx context.Context, r Rule, key string) (Decision, error) {
	interval, err := r.emissionInterval()
	if err != nil {
		return Decision{}, err
	}
	now := l.clk.Now().UnixMicro()
	res, err := gcra.Run(ctx, l.rdb, []string{l.key(r, key)}, now, interval, r.Limit).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: allow under rule %q: %w", r.Name, err)
	}
	if len(res) != 3 {
		return Decision{}, fmt.Errorf("ratelimit: allow under rule %q: the script returned %d values, want 3", r.Name, len(res))
	}
	return Decision{
		Allowed:    res[0] == 1,
		Remaining:  int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond,
	}, nil
}

// Reset forgets every event recorded for key under r, e.g. the failed attempts before a successful sign-in.
func (l *Limiter) Reset(ctx context.Context, r Rule, key string) error {
	if _, err := r.emissionInterval(); err != nil {
		return err
	}
	if err := l.rdb.Del(ctx, l.key(r, key)).Err(); err != nil {
		return fmt.Errorf("ratelimit: reset under rule %q: %w", r.Name, err)
	}
	return nil
}

// key hashes the caller's key so that Redis, its snapshots and its MONITOR output never hold an email in clear.
func (l *Limiter) key(r Rule, key string) string {
	sum := sha256.Sum256([]byte(key))
	return l.prefix + "rl:" + r.Name + ":" + hex.EncodeToString(sum[:])
}

// The script counts in microseconds since the epoch in Lua doubles, exact up to 2^53 (about 285 years). These caps
// keep now plus a full burst well inside that, and are far beyond any rule Profitline needs.
const (
	maxLimit = 1_000_000_000
	maxPer   = 366 * 24 * time.Hour
)

// emissionInterval is the time one event uses up, Per/Limit, in whole microseconds, the unit the script counts in.
// It is rounded up, so rounding can only make a rule stricter, never let through more than Limit per Per.
func (r Rule) emissionInterval() (int64, error) {
	switch {
	case r.Name == "":
		return 0, errors.New("ratelimit: rule has no name")
	case r.Limit < 1:
		return 0, fmt.Errorf("ratelimit: rule %q: limit must be at least 1", r.Name)
	case r.Limit > maxLimit:
		return 0, fmt.Errorf("ratelimit: rule %q: limit must be at most %d", r.Name, maxLimit)
	case r.Per < time.Microsecond || r.Per > maxPer:
		return 0, fmt.Errorf("ratelimit: rule %q: period must be between a microsecond and %v", r.Name, maxPer)
	}
	per := r.Per.Microseconds()
	limit := int64(r.Limit)
	return (per + limit - 1) / limit, nil
}
