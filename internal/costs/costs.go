// Package costs keeps what each SKU cost the seller: landed costs (product, inbound freight, packaging) that apply
// from a date, with their history; a per-shop fallback share of the sale price for SKUs without a cost; and the CSV
// export and import of both directions of a spreadsheet. It holds the rules (what a valid cost is, which cost is in
// force when) and writes through the caller's tenant transaction.
//
// It must never compute profit (internal/profit does, through a Lookup), never apply part of an import, and never
// accept a cost in a currency other than the shop's.
package costs

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// Components are the parts of a landed cost, in minor units of the cost's currency; none is negative.
type Components struct {
	Product        int64
	InboundFreight int64
	Packaging      int64
}

// Landed is the sum of the components: what one unit cost the seller to have in stock.
func (c Components) Landed() int64 { return c.Product + c.InboundFreight + c.Packaging }

// Cost is one SKU's cost from a date on, until the SKU's next cost.
//
// EffectiveFrom is a date, held as midnight UTC; the cost applies from the start of that day in the seller's time
// zone: the profit rows look a cost up by the order's day there (rollup.CostDay).
type Cost struct {
	SKUID         string
	EffectiveFrom time.Time
	Currency      string
	Components
}

// LandedAmount is the landed cost as money.
func (c Cost) LandedAmount() money.Amount {
	return money.Amount{Minor: c.Landed(), Currency: c.Currency}
}

// Date is the effective date as the CSV and the forms write it, "2006-01-02".
func (c Cost) Date() string { return c.EffectiveFrom.UTC().Format(dateLayout) }

const dateLayout = "2006-01-02"

// day returns midnight UTC of t's UTC date: the day a cost dated t applies from.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Limits that keep a typo from becoming a figure.
const (
	// MaxMinor is the largest component or landed cost accepted, in minor units (10 trillion dollars, or a
	// thousand trillion yen): far above any real unit cost, and a sum of three never overflows.
	MaxMinor = 1_000_000_000_000_000
	// MaxDaysAhead is how far in the future a cost may start: a year, so a mistyped year is caught.
	MaxDaysAhead = 366
)

// Lookup answers which cost was in force for a SKU at a moment, from one shop's cost rows read once, and the
// shop's fallback for SKUs without one. It is what the profit model costs order lines with. It is read-only and
// safe for concurrent use.
type Lookup struct {
	bySKU    map[string][]Cost // each SKU's costs by effective date, earliest first
	fallback Fallback
}

// NewLookup builds a Lookup from a shop's costs (in any order) and its fallback.
func NewLookup(costs []Cost, fallback Fallback) *Lookup {
	l := &Lookup{bySKU: map[string][]Cost{}, fallback: fallback}
	for _, c := range costs {
		l.bySKU[c.SKUID] = append(l.bySKU[c.SKUID], c)
	}
	for _, rows := range l.bySKU {
		sort.Slice(rows, func(i, j int) bool { return rows[i].EffectiveFrom.Before(rows[j].EffectiveFrom) })
	}
	return l
}

// LoadLookup reads a shop's costs and fallback in tx. It is read for every page a sync writes, so it reads only
// those two small sets (each cost row carries its currency).
func LoadLookup(ctx context.Context, tx *store.Tx, shopID string) (*Lookup, error) {
	costs, err := History(ctx, tx, shopID)
	if err != nil {
		return nil, err
	}
	fallback, err := GetFallback(ctx, tx, shopID)
	if err != nil {
		return nil, err
	}
	return NewLookup(costs, fallback), nil
}

// Fallback is the shop's fallback for SKUs without a cost (the profit model takes its BPS, 0 when none).
func (l *Lookup) Fallback() Fallback { return l.fallback }

// In returns the cost of skuID in force at t (the latest whose effective date is on or before t's UTC date), and
// whether there is one.
func (l *Lookup) In(skuID string, t time.Time) (Cost, bool) {
	rows := l.bySKU[skuID]
	i := sort.Search(len(rows), func(i int) bool { return rows[i].EffectiveFrom.After(t) })
	if i == 0 {
		return Cost{}, false
	}
	return rows[i-1], true
}

// CostAt returns the landed cost of one unit of skuID at t, and false when the SKU had no cost then. This is the
// shape the profit model takes.
func (l *Lookup) CostAt(skuID string, t time.Time) (money.Amount, bool) {
	c, ok := l.In(skuID, t)
	if !ok {
		return money.Amount{}, false
	}
	return c.LandedAmount(), true
}

// Source says where a unit cost came from; profit shown with SourceFallback or SourceMissing must say so.
type Source int

const (
	// SourceMissing: the SKU had no cost and the shop has no fallback; the cost is unknown, not zero.
	SourceMissing Source = iota
	// SourceCost: the seller's own cost for the SKU.
	SourceCost
	// SourceFallback: the shop's default share of the sale price, an estimate.
	SourceFallback
)

func (s Source) String() string {
	switch s {
	case SourceCost:
		return "cost"
	case SourceFallback:
		return "fallback"
	default:
		return "missing"
	}
}

// UnitCost is the cost of one unit of skuID sold at t for salePrice: the SKU's cost in force then, else the
// shop's fallback share of the sale price, else unknown (SourceMissing, zero amount).
func (l *Lookup) UnitCost(skuID string, t time.Time, salePrice money.Amount) (money.Amount, Source) {
	if c, ok := l.CostAt(skuID, t); ok {
		return c, SourceCost
	}
	if c, ok := l.fallback.Of(salePrice); ok {
		return c, SourceFallback
	}
	return money.Amount{}, SourceMissing
}

// ShopCurrency is the currency the shop sells in (its orders', else its listings'); "" before anything synced.
func ShopCurrency(ctx context.Context, tx *store.Tx, shopID string) (string, error) {
	c, err := tx.Q.ShopCurrency(ctx, tenantdb.ShopCurrencyParams{UserID: tx.UserID, ShopID: shopID})
	if err != nil {
		return "", fmt.Errorf("costs: currency of shop %s: %w", shopID, err)
	}
	return c, nil
}

// History returns every cost of a shop, by SKU and effective date.
func History(ctx context.Context, tx *store.Tx, shopID string) ([]Cost, error) {
	rows, err := tx.Q.ShopCosts(ctx, tenantdb.ShopCostsParams{UserID: tx.UserID, ShopID: shopID})
	if err != nil {
		return nil, fmt.Errorf("costs: costs of shop %s: %w", shopID, err)
	}
	out := make([]Cost, len(rows))
	for i, r := range rows {
		out[i] = Cost{SKUID: r.SkuID, EffectiveFrom: r.EffectiveFrom.UTC(), Currency: r.Currency,
			Components: Components{Product: r.ProductCost, InboundFreight: r.InboundFreight, Packaging: r.Packaging}}
	}
	return out, nil
}

// SKU is one SKU the shop lists or has sold, as the costs page shows it.
type SKU struct {
	SKUID     string
	SellerSKU string
	Title     string // the product's, "" when the product was not synced
	UnitsSold int64
	Current   *Cost // in force today; nil: the SKU has no cost
}

// ListOptions page and filter ListSKUs.
type ListOptions struct {
	OnlyMissing bool // only SKUs without a cost in force today
	Offset      int
	Limit       int
}

// ListSKUs returns the shop's SKUs, most sold first, with the cost in force on the date today (midnight UTC).
func ListSKUs(ctx context.Context, tx *store.Tx, shopID string, today time.Time, o ListOptions) ([]SKU, error) {
	rows, err := tx.Q.ListCostSKUs(ctx, tenantdb.ListCostSKUsParams{UserID: tx.UserID, ShopID: shopID, Today: today,
		OnlyMissing: o.OnlyMissing, SkipRows: int32(o.Offset), MaxRows: int32(o.Limit)})
	if err != nil {
		return nil, fmt.Errorf("costs: SKUs of shop %s: %w", shopID, err)
	}
	out := make([]SKU, len(rows))
	for i, r := range rows {
		out[i] = SKU{SKUID: r.SkuID, SellerSKU: r.SellerSku, Title: r.Title, UnitsSold: r.Units}
		if r.HasCost {
			out[i].Current = &Cost{SKUID: r.SkuID, EffectiveFrom: r.EffectiveFrom.UTC(), Currency: r.Currency,
				Components: Components{Product: r.ProductCost, InboundFreight: r.InboundFreight, Packaging: r.Packaging}}
		}
	}
	return out, nil
}

// Counts are how many SKUs a shop lists or has sold, and how many have no cost in force today.
type Counts struct {
	SKUs    int64
	Missing int64
}

// CountSKUs counts the shop's SKUs and those without a cost on the date today (midnight UTC).
func CountSKUs(ctx context.Context, tx *store.Tx, shopID string, today time.Time) (Counts, error) {
	r, err := tx.Q.CountCostSKUs(ctx, tenantdb.CountCostSKUsParams{UserID: tx.UserID, ShopID: shopID, Today: today})
	if err != nil {
		return Counts{}, fmt.Errorf("costs: count SKUs of shop %s: %w", shopID, err)
	}
	return Counts{SKUs: r.Skus, Missing: r.Missing}, nil
}

// FieldErrors are a form's problems by field name (sku, effective_from, product_cost, inbound_freight, packaging,
// fallback_percent), in words a seller can act on.
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e[k]
	}
	return "costs: " + strings.Join(parts, "; ")
}

// Edit is one cost as a seller typed it: decimals in the shop's currency ("" is 0) and a date, "2006-01-02".
type Edit struct {
	SKUID          string
	EffectiveFrom  string
	ProductCost    string
	InboundFreight string
	Packaging      string
}

// Set saves one SKU's cost from a date in tx (the same date replaces that day's cost). It returns the cost and
// whether anything changed; invalid input is a FieldErrors.
func Set(ctx context.Context, tx *store.Tx, shopID string, e Edit) (Cost, bool, error) {
	currency, err := ShopCurrency(ctx, tx, shopID)
	if err != nil {
		return Cost{}, false, err
	}
	skus, err := costable(ctx, tx, shopID)
	if err != nil {
		return Cost{}, false, err
	}
	errs := FieldErrors{}
	c := Cost{SKUID: strings.TrimSpace(e.SKUID), Currency: currency}
	if _, ok := skus[c.SKUID]; !ok {
		errs["sku"] = "This SKU is not one the shop lists or has sold."
	}
	if date := strings.TrimSpace(e.EffectiveFrom); date == "" {
		errs["effective_from"] = "Enter the date the cost applies from."
	} else if d, msg := parseDate(date, tx.Now()); msg != "" {
		errs["effective_from"] = "The date " + msg + "."
	} else {
		c.EffectiveFrom = d
	}
	fields := []struct {
		name, label, value string
		into               *int64
	}{
		{"product_cost", "Product cost", e.ProductCost, &c.Product},
		{"inbound_freight", "Inbound freight", e.InboundFreight, &c.InboundFreight},
		{"packaging", "Packaging", e.Packaging, &c.Packaging},
	}
	empty := 0
	for _, f := range fields {
		v := strings.TrimSpace(f.value)
		if v == "" {
			empty++
			continue
		}
		if minor, msg := parseCost(v, currency); msg != "" {
			errs[f.name] = f.label + " " + msg + "."
		} else {
			*f.into = minor
		}
	}
	if empty == len(fields) {
		errs["product_cost"] = "Enter the cost (0 if the SKU costs you nothing)."
	}
	if currency == "" {
		errs["sku"] = "This shop has no orders or listings yet, so its currency is unknown."
	}
	if len(errs) > 0 {
		return Cost{}, false, errs
	}
	n, err := tx.Q.SetSKUCost(ctx, tenantdb.SetSKUCostParams{UserID: tx.UserID, ShopID: shopID, SkuID: c.SKUID,
		EffectiveFrom: c.EffectiveFrom, Currency: c.Currency, ProductCost: c.Product, InboundFreight: c.InboundFreight,
		Packaging: c.Packaging, Now: tx.Now()})
	if err != nil {
		return Cost{}, false, fmt.Errorf("costs: set cost of SKU %s in shop %s: %w", c.SKUID, shopID, err)
	}
	return c, n > 0, nil
}

// costable maps every SKU the shop lists or has sold to its seller SKU.
func costable(ctx context.Context, tx *store.Tx, shopID string) (map[string]string, error) {
	rows, err := tx.Q.CostableSKUs(ctx, tenantdb.CostableSKUsParams{UserID: tx.UserID, ShopID: shopID})
	if err != nil {
		return nil, fmt.Errorf("costs: SKUs of shop %s: %w", shopID, err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.SkuID] = r.SellerSku
	}
	return out, nil
}

// parseCost reads a non-negative decimal in currency's minor units. msg, when not empty, says what is wrong as
// the rest of a sentence about the field ("must not be negative").
func parseCost(s, currency string) (minor int64, msg string) {
	if currency == "" {
		return 0, "cannot be read: the shop has no orders or listings yet, so its currency is unknown"
	}
	a, err := money.Parse(s, currency)
	if err != nil {
		exp, _ := money.Exponent(currency)
		if strings.Contains(err.Error(), "more decimals") {
			return 0, fmt.Sprintf("%s has more decimals than %s allows (%d)", quote(s), currency, exp)
		}
		if exp == 0 {
			return 0, fmt.Sprintf("%s is not a plain number like 1250", quote(s))
		}
		return 0, fmt.Sprintf("%s is not a plain number like 12.50 (no currency symbol or thousands separator)", quote(s))
	}
	switch {
	case a.Minor < 0:
		return 0, "must not be negative"
	case a.Minor > MaxMinor:
		return 0, fmt.Sprintf("%s is too large", quote(s))
	}
	return a.Minor, ""
}

// parseDate reads an effective date, "2006-01-02", refusing dates more than MaxDaysAhead after now's UTC date. msg,
// when not empty, is the rest of a sentence about the date.
func parseDate(s string, now time.Time) (time.Time, string) {
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Sprintf("%s is not a date in the form YYYY-MM-DD", quote(s))
	}
	if d.After(day(now).AddDate(0, 0, MaxDaysAhead)) {
		return time.Time{}, fmt.Sprintf("%s is more than a year ahead; check the year", s)
	}
	return d, ""
}

// quote quotes a seller's cell for a message, shortened when long.
func quote(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		return strconv.Quote(string(r[:max])) + "..."
	}
	return strconv.Quote(s)
}

// Fallback is a shop's default cost for SKUs without one: a share of the sale price, in basis points (1% = 100),
// from 1 to 10,000 when Set.
type Fallback struct {
	Set bool
	BPS int32
}

// Percent writes the share as a seller types it: "35", "12.5"; "" when there is none.
func (f Fallback) Percent() string {
	if !f.Set {
		return ""
	}
	s := fmt.Sprintf("%d.%02d", f.BPS/100, f.BPS%100)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// Of returns the fallback cost of one unit sold for price (rounded half away from zero to the minor unit: it is
// an estimate), and false when the shop has no fallback.
func (f Fallback) Of(price money.Amount) (money.Amount, bool) {
	if !f.Set {
		return money.Amount{}, false
	}
	neg := price.Minor < 0
	mag := uint64(price.Minor)
	if neg {
		mag = -mag
	}
	// mag <= 2^63 and BPS <= 10,000: the product's high word is below the divisor (Div64 needs it), and the
	// quotient, at most mag, fits an int64 again.
	hi, lo := bits.Mul64(mag, uint64(f.BPS))
	q, r := bits.Div64(hi, lo, 10_000)
	if r*2 >= 10_000 {
		q++
	}
	minor := int64(q)
	if neg {
		minor = -minor
	}
	return money.Amount{Minor: minor, Currency: price.Currency}, true
}

// GetFallback reads the shop's fallback.
func GetFallback(ctx context.Context, tx *store.Tx, shopID string) (Fallback, error) {
	r, err := tx.Q.GetCostFallback(ctx, tenantdb.GetCostFallbackParams{UserID: tx.UserID, ShopID: shopID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Fallback{}, nil
	}
	if err != nil {
		return Fallback{}, fmt.Errorf("costs: fallback of shop %s: %w", shopID, err)
	}
	return Fallback{Set: r.HasFallback, BPS: r.FallbackBps}, nil
}

// ParsePercent reads a fallback share as a seller types it: "" (none), "35", "12.5", "7.25%"; above 0 and up to
// 100, with at most two decimals (0% would pass an unknown cost off as zero). Invalid input is a FieldErrors for
// fallback_percent.
func ParsePercent(s string) (Fallback, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return Fallback{}, nil
	}
	bad := FieldErrors{"fallback_percent": "Enter a percentage above 0 and up to 100, like 35 or 12.5, or leave it empty for none."}
	whole, frac, hasDot := strings.Cut(s, ".")
	if len(whole) > 3 || !digits(whole) || (hasDot && !digits(frac)) {
		return Fallback{}, bad
	}
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return Fallback{}, FieldErrors{"fallback_percent": "Use at most two decimals, like 12.25."}
		}
		frac = frac[:2]
	}
	frac += strings.Repeat("0", 2-len(frac))
	bps := int32(0)
	for _, r := range whole + frac {
		bps = bps*10 + int32(r-'0')
	}
	if bps < 1 || bps > 10_000 {
		return Fallback{}, bad
	}
	return Fallback{Set: true, BPS: bps}, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// SetFallback saves the shop's fallback in tx and reports whether it changed.
func SetFallback(ctx context.Context, tx *store.Tx, shopID string, f Fallback) (bool, error) {
	n, err := tx.Q.SetCostFallback(ctx, tenantdb.SetCostFallbackParams{UserID: tx.UserID, ShopID: shopID,
		HasFallback: f.Set, FallbackBps: f.BPS, Now: tx.Now()})
	if err != nil {
		return false, fmt.Errorf("costs: set fallback of shop %s: %w", shopID, err)
	}
	return n > 0, nil
}
