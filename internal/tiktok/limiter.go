package tiktok

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/profitline/profitline/internal/clock"
)

// limiter is a token bucket per shop (keyed by shop cipher, or "app" for calls outside a shop), adaptive in the
// way TikTok's unpublished limits call for: a 429 halves that shop's rate (never below minRate), and each success
// gives back a small step, so a shop that was throttled creeps back to full speed over some seconds.
type limiter struct {
	clock clock.Clock
	rate  float64 // full speed, requests per second
	burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	rate   float64 // current rate
	tokens float64 // may go negative: requests already promised a slot
	last   time.Time
}

const minRate = 1.0

func newLimiter(c clock.Clock, rate float64, burst int) *limiter {
	return &limiter{clock: c, rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// reserve takes a slot for key and returns how long the caller must wait before using it.
func (l *limiter) reserve(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{rate: l.rate, tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*b.rate)
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// throttled halves key's rate after TikTok said 429.
func (l *limiter) throttled(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[key]; b != nil {
		b.rate = math.Max(minRate, b.rate/2)
	}
}

// succeeded recovers key's rate by a hundredth of full speed.
func (l *limiter) succeeded(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[key]; b != nil && b.rate < l.rate {
		b.rate = math.Min(l.rate, b.rate+l.rate/100)
	}
}

// currentRate is key's rate now, for tests and progress displays.
func (l *limiter) currentRate(key string) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[key]; b != nil {
		return b.rate
	}
	return l.rate
}

// wait reserves a slot for key and sleeps until it is due.
func (c *Client) wait(ctx context.Context, key string) error {
	if d := c.limiter.reserve(key); d > 0 {
		return c.sleep(ctx, d)
	}
	return ctx.Err()
}

// backoff is exponential with full jitter: attempt n (from 1) waits a uniform random time in [0, min(max,
// base*2^(n-1))].
type backoff struct{ base, max time.Duration }

func (b backoff) ceiling(attempt int) time.Duration {
	d := b.base
	for i := 1; i < attempt && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max)
}
