// Package returns keeps sellers from missing a return's deadline: TikTok auto-approves a return or refund request
// when the seller does not respond by the deadline it stamps on it. For each open return's deadline it plans a
// ladder of alert steps (Plan, pure), stores them (return_alerts), and an evaluation job sends each step due as one
// email through the mail outbox, in the transaction that marks the step sent (Evaluate).
//
// It must never send a step twice (every step has a dedupe key, which is the outbox's), never put a buyer's data in
// an alert, and never read the wall clock: every "now" is passed in.
package returns

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Settings are a seller's alert preferences (Settings -> Alerts).
type Settings struct {
	// Steps are how long before a deadline each alert fires, largest first; the last is the final warning.
	Steps []time.Duration
	// QuietStart and QuietEnd bound the quiet hours in the seller's time zone, as offsets from midnight; equal
	// means none. They may wrap midnight (22:00 to 07:00).
	QuietStart, QuietEnd time.Duration
	Email                bool // alert emails on
	Digest               bool // a daily digest of what is due in the next 48 hours
}

// DefaultSettings are what a seller who never changed them gets: 24, 12, 4 and 1 hours before, quiet from 22:00 to
// 07:00, emails on, no digest.
func DefaultSettings() Settings {
	return Settings{
		Steps:      []time.Duration{24 * time.Hour, 12 * time.Hour, 4 * time.Hour, time.Hour},
		QuietStart: 22 * time.Hour, QuietEnd: 7 * time.Hour, Email: true,
	}
}

// Limits of a ladder.
const (
	MaxSteps   = 8
	MaxBefore  = 14 * 24 * time.Hour // TikTok's longest window (confirming receipt) is 8 days
	DigestHour = 8                   // the digest goes out from 08:00 in the seller's zone
)

// Validate checks the settings and puts the steps in order (largest first, no duplicates).
func (s *Settings) Validate() error {
	if len(s.Steps) == 0 || len(s.Steps) > MaxSteps {
		return fmt.Errorf("an alert ladder has 1 to %d steps", MaxSteps)
	}
	for _, d := range s.Steps {
		if d < time.Minute || d > MaxBefore || d%time.Minute != 0 {
			return fmt.Errorf("a step is a whole number of minutes, from 1 minute to %d days before the deadline", MaxBefore/(24*time.Hour))
		}
	}
	slices.SortFunc(s.Steps, func(a, b time.Duration) int { return int(b - a) })
	s.Steps = slices.Compact(s.Steps)
	for _, q := range []time.Duration{s.QuietStart, s.QuietEnd} {
		if q < 0 || q >= 24*time.Hour || q%time.Minute != 0 {
			return fmt.Errorf("quiet hours start and end at a minute of the day")
		}
	}
	return nil
}

// Deadline is one open return's deadline, as TikTok stamped it.
type Deadline struct {
	ShopID, ReturnID string
	Action           string // what TikTok expects, e.g. SELLER_RESPOND_REFUND
	At               time.Time
}

// Step is one planned alert of a deadline.
type Step struct {
	Before time.Duration // the ladder's step: how long before the deadline it is meant for
	Due    time.Time     // when it fires
}

// DedupeKey names the step of the deadline among all of the seller's mail: the same on every evaluation, so one
// step is one email however often it is planned or sent.
func DedupeKey(d Deadline, before time.Duration) string {
	return "return-alert/" + d.ShopID + "/" + d.ReturnID + "/" + strconv.FormatInt(d.At.Unix(), 10) + "/" +
		strconv.FormatInt(int64(before/time.Minute), 10)
}

// Plan lays out the alerts of a deadline first seen (or re-planned) at now, in the seller's zone:
//
//   - a step whose time is still ahead fires at its time (deadline less its Before);
//   - of the steps whose time has passed, only the latest fires, at once (and only if its time came after
//     lastSent, the last alert already sent for this deadline; zero when none): a return first seen late gets one
//     alert, never a burst;
//   - a step that falls in quiet hours waits for their end, unless it is the last step, which always fires on
//     time; a held step whose wait would reach the next step's time (or the deadline) is dropped, since the next
//     step says the same later.
//
// A deadline already past plans nothing.
func Plan(s Settings, d Deadline, now, lastSent time.Time, zone *time.Location) []Step {
	if !d.At.After(now) || len(s.Steps) == 0 {
		return nil
	}
	var out []Step
	for i, before := range s.Steps {
		at := d.At.Add(-before)
		if !at.After(now) {
			// Passed: only the latest passed step fires, now. Steps are largest first, so it is the last passed one.
			if i+1 < len(s.Steps) && !d.At.Add(-s.Steps[i+1]).After(now) {
				continue
			}
			if !at.After(lastSent) && !lastSent.IsZero() {
				continue
			}
			at = now
		}
		last := i == len(s.Steps)-1
		if !last {
			if end, quiet := QuietUntil(s, at, zone); quiet {
				next := d.At.Add(-s.Steps[i+1])
				if !end.Before(next) {
					continue
				}
				at = end
			}
		}
		out = append(out, Step{Before: before, Due: at})
	}
	return out
}

// QuietUntil says whether t is in the seller's quiet hours and, if so, when they end (in UTC).
func QuietUntil(s Settings, t time.Time, zone *time.Location) (time.Time, bool) {
	if s.QuietStart == s.QuietEnd {
		return time.Time{}, false
	}
	local := t.In(zone)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
	of := local.Sub(midnight)
	endOn := func(day time.Time) time.Time {
		h, m := int(s.QuietEnd/time.Hour), int(s.QuietEnd%time.Hour/time.Minute)
		return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, zone).UTC()
	}
	if s.QuietStart < s.QuietEnd { // within one day, e.g. 01:00 to 06:00
		if of >= s.QuietStart && of < s.QuietEnd {
			return endOn(midnight), true
		}
		return time.Time{}, false
	}
	// Wraps midnight, e.g. 22:00 to 07:00.
	if of >= s.QuietStart {
		return endOn(midnight.AddDate(0, 0, 1)), true
	}
	if of < s.QuietEnd {
		return endOn(midnight), true
	}
	return time.Time{}, false
}

// ApprovalCost is what approving an open return would cost the seller, in minor units of its currency.
type ApprovalCost struct {
	Refund      int64 // the refund, less the sales tax in it (TikTok collects and gives back the tax itself)
	GoodsLost   int64 // the cost of goods that do not come back (refund only), or of the unit sent (replacement)
	FeesKept    int64 // the refund administration fee TikTok keeps, at the shop's observed rate
	ReturnLabel int64 // the return shipping the seller pays
	Total       int64
}

// CostOfApproving works out ApprovalCost the way internal/profit counts a refund: fees on what is refunded come
// back except the refund administration fee (refundAdminBps of the refund subtotal), and the goods' cost comes back
// only with the goods (RETURN_AND_REFUND). unitCosts is the cost of goods of the return's units as the profit
// model costed them.
func CostOfApproving(returnType string, refundTotal, refundTax, refundSubtotal, unitCosts, returnLabel, refundAdminBps int64) ApprovalCost {
	c := ApprovalCost{Refund: refundTotal - refundTax, ReturnLabel: returnLabel}
	if returnType != "RETURN_AND_REFUND" {
		c.GoodsLost = unitCosts
	}
	c.FeesKept = (refundSubtotal*refundAdminBps + 5000) / 10000
	c.Total = c.Refund + c.GoodsLost + c.FeesKept + c.ReturnLabel
	return c
}
