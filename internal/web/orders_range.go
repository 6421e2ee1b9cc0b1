package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
)

// dayLayout is how a day is written in links, forms and exports.
const dayLayout = "2006-01-02"

// defaultRangeDays is the range /orders, /skus and the exports show when the request names none: the last 30 days,
// today included.
const defaultRangeDays = 30

// dayRange is whole days in the seller's time zone, First to Last, both included. A day is held as its UTC
// midnight, the form the queries take a day in.
type dayRange struct {
	First, Last time.Time
	Zone        *time.Location
}

// parseDayRange reads the range from and to (YYYY-MM-DD, in zone) of a request. A missing end defaults to today
// (from's 29 days before to); a wrong one is reported in words, with the default range.
func parseDayRange(from, to string, now time.Time, zone *time.Location) (dayRange, string) {
	today := civil(now.In(zone))
	r := dayRange{First: today.AddDate(0, 0, 1-defaultRangeDays), Last: today, Zone: zone}
	if from == "" && to == "" {
		return r, ""
	}
	last := today
	if to != "" {
		t, err := parseDay(to)
		if err != nil {
			return r, "The last day is not a date (YYYY-MM-DD)."
		}
		last = t
	}
	first := last.AddDate(0, 0, 1-defaultRangeDays)
	if from != "" {
		t, err := parseDay(from)
		if err != nil {
			return r, "The first day is not a date (YYYY-MM-DD)."
		}
		first = t
	}
	if first.After(last) {
		return r, "The first day is after the last."
	}
	return dayRange{First: first, Last: last, Zone: zone}, ""
}

// pageRange is parseDayRange for a page, which shows the default range when the one asked for is wrong, and says so.
func pageRange(from, to string, now time.Time, zone *time.Location) (dayRange, string) {
	r, problem := parseDayRange(from, to, now, zone)
	if problem != "" {
		problem += " Showing the last 30 days instead."
	}
	return r, problem
}

// parseDay reads YYYY-MM-DD, within years a seller's data can have.
func parseDay(s string) (time.Time, error) {
	t, err := time.Parse(dayLayout, s)
	if err != nil {
		return time.Time{}, err
	}
	if t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, errors.New("web: a day before 2000 or after 2100")
	}
	return t, nil
}

// civil is t's date as a UTC midnight.
func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Start is the instant the range begins: its first day's midnight in the seller's zone.
func (r dayRange) Start() time.Time {
	return time.Date(r.First.Year(), r.First.Month(), r.First.Day(), 0, 0, 0, 0, r.Zone)
}

// End is the instant the range ends, excluded: the midnight after its last day in the seller's zone.
func (r dayRange) End() time.Time {
	return time.Date(r.Last.Year(), r.Last.Month(), r.Last.Day()+1, 0, 0, 0, 0, r.Zone)
}

func (r dayRange) FirstText() string { return r.First.Format(dayLayout) }
func (r dayRange) LastText() string  { return r.Last.Format(dayLayout) }

// shopScope is the seller's shops and those a request looks at: the one it names, or all of them for "". A shop
// that is not the seller's is a 404.
type shopScope struct {
	all   []shops.Connected
	ids   []string
	names map[string]string
	shop  string // the shop named, "" for all
}

func sellerShops(ctx context.Context, tx *store.Tx, shopID string) (shopScope, error) {
	list, err := shops.List(ctx, tx)
	if err != nil {
		return shopScope{}, err
	}
	sc := shopScope{all: list, names: map[string]string{}, shop: shopID}
	for _, sh := range list {
		sc.names[sh.ShopID] = sh.Name
		if shopID == "" || sh.ShopID == shopID {
			sc.ids = append(sc.ids, sh.ShopID)
		}
	}
	if shopID != "" && len(sc.ids) == 0 {
		return shopScope{}, echo.NewHTTPError(http.StatusNotFound, "That shop is not connected to your account.")
	}
	return sc, nil
}

// options are the shops as a filter's choices.
func (sc shopScope) options() []shopOption {
	out := make([]shopOption, 0, len(sc.all))
	for _, sh := range sc.all {
		out = append(out, shopOption{ShopID: sh.ShopID, Name: sh.Name, Selected: sh.ShopID == sc.shop})
	}
	return out
}

// name is a shop's name, or its id when it has none.
func (sc shopScope) name(shopID string) string {
	if n := sc.names[shopID]; n != "" {
		return n
	}
	return shopID
}

type shopOption struct {
	ShopID   string
	Name     string
	Selected bool
}
