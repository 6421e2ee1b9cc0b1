// Package dashboard works out what the profit dashboard shows from a seller's daily profit figures: the range of
// days a request names, in the seller's time zone; the change of each figure against the period before; the
// waterfall from gross sales to net profit; and the charts, as SVG markup built directly (a year of points costs
// microseconds here, where template actions per point would cost milliseconds).
//
// It is pure, like internal/profit beneath it: figures in, figures and markup out. It must never do I/O or read a
// clock (now comes in), and it never adds amounts of two currencies: every call is about one.
package dashboard

import (
	"fmt"
	"time"
)

// Day is a calendar day in the seller's time zone, held as midnight UTC (as Postgres dates arrive).
type Day struct{ t time.Time }

// DayLayout is how days are written in forms and URLs.
const DayLayout = "2006-01-02"

// DayOf is the day t falls on in zone.
func DayOf(t time.Time, zone *time.Location) Day {
	y, m, d := t.In(zone).Date()
	return Date(y, m, d)
}

// Date is the day y-m-d (normalised, as time.Date does: 31 April is 1 May).
func Date(y int, m time.Month, d int) Day { return Day{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// FromTime is the day of a Postgres date (midnight UTC).
func FromTime(t time.Time) Day { return DayOf(t, time.UTC) }

// ParseDay reads 2006-01-02.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(DayLayout, s)
	if err != nil {
		return Day{}, fmt.Errorf("dashboard: %q is not a date (YYYY-MM-DD)", s)
	}
	return Day{t}, nil
}

// Time is the day as midnight UTC (what a Postgres date parameter takes).
func (d Day) Time() time.Time { return d.t }

// String is 2006-01-02.
func (d Day) String() string { return d.t.Format(DayLayout) }

// Format writes the day with a time layout ("2 Jan 2006").
func (d Day) Format(layout string) string { return d.t.Format(layout) }

// AddDays is the day n days later (earlier when n < 0).
func (d Day) AddDays(n int) Day { return Day{d.t.AddDate(0, 0, n)} }

// Before reports whether d comes before o.
func (d Day) Before(o Day) bool { return d.t.Before(o.t) }

// IsZero reports whether d is the zero Day.
func (d Day) IsZero() bool { return d.t.IsZero() }

// Since is how many days o is before d.
func (d Day) Since(o Day) int { return int(d.t.Sub(o.t) / (24 * time.Hour)) }

// Preset names a range relative to today.
type Preset string

// The presets a seller picks from. Custom takes its first and last day from the request.
const (
	Today       Preset = "today"
	Last7       Preset = "7d"
	Last30      Preset = "30d"
	Last90      Preset = "90d"
	MonthToDate Preset = "mtd"
	LastMonth   Preset = "last-month"
	Custom      Preset = "custom"

	DefaultPreset = Last30
)

// Presets lists the presets in the order the range picker offers them, with their labels.
var Presets = []struct {
	Preset Preset
	Label  string
}{
	{Today, "Today"}, {Last7, "Last 7 days"}, {Last30, "Last 30 days"}, {Last90, "Last 90 days"},
	{MonthToDate, "Month to date"}, {LastMonth, "Last month"}, {Custom, "Custom"},
}

// MaxDays is the longest range a custom range may span: two years, what a seller's data reaches.
const MaxDays = 731

// Range is the days First to Last, both included.
type Range struct {
	Preset      Preset
	First, Last Day
}

// Days is how many days the range spans.
func (r Range) Days() int { return r.Last.Since(r.First) + 1 }

// Previous is the period of the same length that ends the day before r begins: what r is compared with.
func (r Range) Previous() Range {
	n := r.Days()
	return Range{Preset: Custom, First: r.First.AddDays(-n), Last: r.First.AddDays(-1)}
}

// Each calls f for every day of the range, in order.
func (r Range) Each(f func(i int, d Day)) {
	for i, d := 0, r.First; !r.Last.Before(d); i, d = i+1, d.AddDays(1) {
		f(i, d)
	}
}

// Text writes the range for a seller: "1 Mar – 30 Mar 2026", "14 Mar 2026".
func (r Range) Text() string {
	if r.First == r.Last {
		return r.First.Format("2 Jan 2006")
	}
	if r.First.t.Year() == r.Last.t.Year() {
		return r.First.Format("2 Jan") + " – " + r.Last.Format("2 Jan 2006")
	}
	return r.First.Format("2 Jan 2006") + " – " + r.Last.Format("2 Jan 2006")
}

// RangeError is a custom range the dashboard cannot show, in words fit for the seller.
type RangeError struct{ Message string }

func (e *RangeError) Error() string { return e.Message }

// Resolve is the range a request names: a preset relative to today in zone (now comes from the app's clock), or,
// for Custom, the days first and last as typed (YYYY-MM-DD). An unknown or empty preset is DefaultPreset, unless
// first or last is given, which makes it Custom. A custom range that cannot be shown returns the default range and
// a *RangeError saying why.
func Resolve(preset, first, last string, now time.Time, zone *time.Location) (Range, error) {
	today := DayOf(now, zone)
	p := Preset(preset)
	if p == "" && (first != "" || last != "") {
		p = Custom
	}
	switch p {
	case Today:
		return Range{p, today, today}, nil
	case Last7:
		return Range{p, today.AddDays(-6), today}, nil
	case Last30:
		return Range{p, today.AddDays(-29), today}, nil
	case Last90:
		return Range{p, today.AddDays(-89), today}, nil
	case MonthToDate:
		return Range{p, Date(today.t.Year(), today.t.Month(), 1), today}, nil
	case LastMonth:
		firstOfThis := Date(today.t.Year(), today.t.Month(), 1)
		return Range{p, firstOfThis.AddDays(-1).firstOfMonth(), firstOfThis.AddDays(-1)}, nil
	case Custom:
		r, err := custom(first, last)
		if err != nil {
			def, _ := Resolve(string(DefaultPreset), "", "", now, zone)
			return def, err
		}
		return r, nil
	default:
		return Resolve(string(DefaultPreset), "", "", now, zone)
	}
}

func custom(first, last string) (Range, error) {
	if first == "" || last == "" {
		return Range{}, &RangeError{"Choose both the first and the last day of a custom range."}
	}
	f, err := ParseDay(first)
	if err != nil {
		return Range{}, &RangeError{fmt.Sprintf("The first day %q is not a date.", first)}
	}
	l, err := ParseDay(last)
	if err != nil {
		return Range{}, &RangeError{fmt.Sprintf("The last day %q is not a date.", last)}
	}
	if l.Before(f) {
		return Range{}, &RangeError{"The last day comes before the first day."}
	}
	r := Range{Custom, f, l}
	if r.Days() > MaxDays {
		return Range{}, &RangeError{fmt.Sprintf("A range can span at most %d days.", MaxDays)}
	}
	return r, nil
}

func (d Day) firstOfMonth() Day { return Date(d.t.Year(), d.t.Month(), 1) }
