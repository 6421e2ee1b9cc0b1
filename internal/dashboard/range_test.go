package dashboard_test

import (
	"errors"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/dashboard"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestPresetsAreDaysOfTheSellersTimeZone(t *testing.T) {
	// 05:30 UTC on 1 March is still 28 February in Los Angeles, and already the afternoon of 1 March in Tokyo.
	clk := clock.NewFake(time.Date(2026, 3, 1, 5, 30, 0, 0, time.UTC))
	la, tokyo, london := zone(t, "America/Los_Angeles"), zone(t, "Asia/Tokyo"), zone(t, "Europe/London")
	cases := []struct {
		name                string
		zone                *time.Location
		now                 time.Time
		preset, first, last string
		want                [2]string // first and last day
		wantPreset          dashboard.Preset
		wantErr             bool
	}{
		{"today in LA", la, clk.Now(), "today", "", "", [2]string{"2026-02-28", "2026-02-28"}, dashboard.Today, false},
		{"today in Tokyo", tokyo, clk.Now(), "today", "", "", [2]string{"2026-03-01", "2026-03-01"}, dashboard.Today, false},
		{"7 days", la, clk.Now(), "7d", "", "", [2]string{"2026-02-22", "2026-02-28"}, dashboard.Last7, false},
		{"30 days", la, clk.Now(), "30d", "", "", [2]string{"2026-01-30", "2026-02-28"}, dashboard.Last30, false},
		{"90 days", la, clk.Now(), "90d", "", "", [2]string{"2025-12-01", "2026-02-28"}, dashboard.Last90, false},
		{"month to date in LA", la, clk.Now(), "mtd", "", "", [2]string{"2026-02-01", "2026-02-28"}, dashboard.MonthToDate, false},
		{"month to date in Tokyo", tokyo, clk.Now(), "mtd", "", "", [2]string{"2026-03-01", "2026-03-01"}, dashboard.MonthToDate, false},
		{"last month in LA", la, clk.Now(), "last-month", "", "", [2]string{"2026-01-01", "2026-01-31"}, dashboard.LastMonth, false},
		{"last month in Tokyo", tokyo, clk.Now(), "last-month", "", "", [2]string{"2026-02-01", "2026-02-28"}, dashboard.LastMonth, false},
		{"last month in January", la, time.Date(2026, 1, 15, 20, 0, 0, 0, time.UTC), "last-month", "", "", [2]string{"2025-12-01", "2025-12-31"}, dashboard.LastMonth, false},
		// The night British summer time starts (01:00 UTC on 29 March 2026): a 7-day range is still 7 calendar days.
		{"7 days over a clock change", london, time.Date(2026, 3, 29, 23, 30, 0, 0, time.UTC), "7d", "", "", [2]string{"2026-03-24", "2026-03-30"}, dashboard.Last7, false},
		{"custom", la, clk.Now(), "custom", "2026-01-10", "2026-01-20", [2]string{"2026-01-10", "2026-01-20"}, dashboard.Custom, false},
		{"dates without a preset are custom", la, clk.Now(), "", "2026-01-10", "2026-01-10", [2]string{"2026-01-10", "2026-01-10"}, dashboard.Custom, false},
		{"no preset is the last 30 days", la, clk.Now(), "", "", "", [2]string{"2026-01-30", "2026-02-28"}, dashboard.Last30, false},
		{"an unknown preset is the last 30 days", la, clk.Now(), "forever", "", "", [2]string{"2026-01-30", "2026-02-28"}, dashboard.Last30, false},
		{"a preset ignores dates", la, clk.Now(), "7d", "2020-01-01", "2020-01-02", [2]string{"2026-02-22", "2026-02-28"}, dashboard.Last7, false},
		{"custom backwards", la, clk.Now(), "custom", "2026-01-20", "2026-01-10", [2]string{"2026-01-30", "2026-02-28"}, dashboard.Last30, true},
		{"custom not a date", la, clk.Now(), "custom", "2026-02-30", "2026-03-01", [2]string{"2026-01-30", "2026-02-28"}, dashboard.Last30, true},
		{"custom half given", la, clk.Now(), "custom", "2026-01-01", "", [2]string{"2026-01-30", "2026-02-28"}, dashboard.Last30, true},
		{"custom too long", la, clk.Now(), "custom", "2020-01-01", "2026-01-01", [2]string{"2026-01-30", "2026-02-28"}, dashboard.Last30, true},
		{"custom of the longest span", la, clk.Now(), "custom", "2024-03-01", "2026-02-28", [2]string{"2024-03-01", "2026-02-28"}, dashboard.Custom, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := dashboard.Resolve(c.preset, c.first, c.last, c.now, c.zone)
			var re *dashboard.RangeError
			if c.wantErr != errors.As(err, &re) {
				t.Fatalf("error %v; want one: %v", err, c.wantErr)
			}
			if got := [2]string{r.First.String(), r.Last.String()}; got != c.want || r.Preset != c.wantPreset {
				t.Errorf("%s %v; want %s %v", r.Preset, got, c.wantPreset, c.want)
			}
		})
	}
}

func TestThePreviousPeriodHasTheSameLengthAndEndsTheDayBefore(t *testing.T) {
	cases := []struct {
		first, last string
		days        int
		want        [2]string
	}{
		{"2026-01-30", "2026-02-28", 30, [2]string{"2025-12-31", "2026-01-29"}},
		{"2026-01-01", "2026-01-31", 31, [2]string{"2025-12-01", "2025-12-31"}},
		{"2026-03-01", "2026-03-01", 1, [2]string{"2026-02-28", "2026-02-28"}},
		{"2025-03-01", "2026-02-28", 365, [2]string{"2024-03-01", "2025-02-28"}},
	}
	for _, c := range cases {
		r, err := dashboard.Resolve("custom", c.first, c.last, time.Now(), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		p := r.Previous()
		if r.Days() != c.days || p.Days() != c.days || [2]string{p.First.String(), p.Last.String()} != c.want {
			t.Errorf("%s..%s (%d days): previous %s..%s (%d days); want %v, %d days", c.first, c.last, r.Days(),
				p.First, p.Last, p.Days(), c.want, c.days)
		}
	}
}

func TestARangeReadsAsASellerWritesIt(t *testing.T) {
	for _, c := range []struct{ first, last, want string }{
		{"2026-03-14", "2026-03-14", "14 Mar 2026"},
		{"2026-03-01", "2026-03-30", "1 Mar – 30 Mar 2026"},
		{"2025-12-01", "2026-02-28", "1 Dec 2025 – 28 Feb 2026"},
	} {
		r, err := dashboard.Resolve("custom", c.first, c.last, time.Now(), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Text(); got != c.want {
			t.Errorf("%s..%s reads %q; want %q", c.first, c.last, got, c.want)
		}
	}
}
