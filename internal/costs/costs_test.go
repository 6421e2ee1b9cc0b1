package costs_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/costs"
	"github.com/profitline/profitline/internal/costs/coststest"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/testenv"
)

const shop = "7001"

// seller is a tenant with one US shop: a listed T-shirt sold three times, a listed mug never sold, and a SKU no
// longer listed that sold once, whose seller SKU a spreadsheet would run as a formula.
type seller struct {
	env    *testenv.Env
	userID int64
}

func newSeller(t *testing.T) *seller {
	t.Helper()
	env := testenv.New(t)
	return addSeller(t, env)
}

func addSeller(t *testing.T, env *testenv.Env) *seller {
	t.Helper()
	userID, err := env.Store.CreateTenant(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	sold := testenv.Epoch.Add(-72 * time.Hour)
	coststest.Seed(t, env.Store, userID, shop, "USD",
		coststest.SKU{ID: "1001", SellerSKU: "TEE-BLK-M", Title: "Black tee", Listed: true, Sold: []time.Time{sold, sold, sold}},
		coststest.SKU{ID: "1002", SellerSKU: "MUG-01", Title: "Mug", Listed: true},
		coststest.SKU{ID: "1003", SellerSKU: "=HYPERLINK(\"x\")", Sold: []time.Time{sold}},
	)
	return &seller{env: env, userID: userID}
}

func (s *seller) tx(t *testing.T, fn func(ctx context.Context, tx *store.Tx) error) error {
	t.Helper()
	return s.env.Store.InTenant(context.Background(), s.userID, func(tx *store.Tx) error { return fn(context.Background(), tx) })
}

func (s *seller) importCSV(t *testing.T, file string) (costs.Report, error) {
	t.Helper()
	var rep costs.Report
	err := s.tx(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		rep, err = costs.Import(ctx, tx, shop, strings.NewReader(file))
		return err
	})
	return rep, err
}

func (s *seller) history(t *testing.T) []costs.Cost {
	t.Helper()
	var h []costs.Cost
	if err := s.tx(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		h, err = costs.History(ctx, tx, shop)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return h
}

func (s *seller) export(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	if err := s.tx(t, func(ctx context.Context, tx *store.Tx) error {
		_, err := costs.Export(ctx, tx, shop, &buf)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func problemsOf(t *testing.T, err error) []costs.Problem {
	t.Helper()
	var ie *costs.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("import error = %v; want an *ImportError", err)
	}
	return ie.Problems
}

const validFile = `seller_sku,sku_id,cost,currency,effective_from
TEE-BLK-M,1001,4.20,USD,2026-01-01
TEE-BLK-M,1001,4.50,USD,2026-03-01
,1002,2,USD,2026-02-15
`

func TestAValidImportAppliesEveryRowAndTheSameFileAgainChangesNothing(t *testing.T) {
	s := newSeller(t)
	rep, err := s.importCSV(t, validFile)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 3 || rep.Changed != 3 {
		t.Fatalf("first import: %+v; want 3 rows, 3 changed", rep)
	}
	h := s.history(t)
	if len(h) != 3 || h[0].SKUID != "1001" || h[0].Date() != "2026-01-01" || h[0].Product != 420 || h[1].Landed() != 450 || h[2].Landed() != 200 || h[2].Currency != "USD" {
		t.Fatalf("history after import: %+v", h)
	}
	rep, err = s.importCSV(t, validFile)
	if err != nil || rep.Rows != 3 || rep.Changed != 0 {
		t.Fatalf("the same file again: %+v, %v; want 3 rows, 0 changed", rep, err)
	}
	rep, err = s.importCSV(t, strings.Replace(validFile, "4.50", "4.75", 1))
	if err != nil || rep.Changed != 1 {
		t.Fatalf("one cost changed: %+v, %v; want 1 changed", rep, err)
	}
}

func TestOneBadRowAppliesNothingAndEveryProblemIsReportedByLineAndColumn(t *testing.T) {
	s := newSeller(t)
	file := `seller_sku,sku_id,cost,currency,effective_from,product_cost,inbound_freight,packaging
TEE-BLK-M,1001,4.20,USD,2026-01-01,,,
MUG-01,9999,1.00,USD,2026-01-01,,,
WRONG-SKU,1002,1.00,USD,2026-01-01,,,
MUG-01,1002,-1.00,USD,2026-02-01,,,
MUG-01,1002,1.005,USD,2026-03-01,,,
MUG-01,1002,1.00,GBP,2026-04-01,,,
MUG-01,1002,1.00,USD,01/05/2026,,,
MUG-01,1002,1.00,USD,2031-01-01,,,
TEE-BLK-M,1001,4.30,USD,2026-01-01,,,
MUG-01,1002,"1,000.00",USD,2026-06-01,,,
MUG-01,1002,5.00,USD,2026-07-01,3.00,1.00,0.50
MUG-01,1.72946E+18,1.00,USD,2026-08-01,,,
MUG-01,1002,1.00,USD
MUG-01,1002,,USD,2026-09-01,,,
MUG-01,1002,,USD,2026-10-01,1.x,,
`
	_, err := s.importCSV(t, file)
	got := problemsOf(t, err)
	want := []struct {
		line   int
		column string
		says   string
	}{
		{3, "sku_id", `"9999" is not a SKU this shop lists or has sold`},
		{4, "seller_sku", `"WRONG-SKU" does not match SKU 1002, whose seller SKU is "MUG-01"`},
		{5, "cost", "must not be negative"},
		{6, "cost", "more decimals than USD allows (2)"},
		{7, "currency", `"GBP" is not this shop's currency; its costs are in USD`},
		{8, "effective_from", "not a date in the form YYYY-MM-DD"},
		{9, "effective_from", "more than a year ahead"},
		{10, "effective_from", "SKU 1001 already has a cost from 2026-01-01 on line 2"},
		{11, "cost", "not a plain number"},
		{12, "cost", "not the sum of product_cost, inbound_freight and packaging (4.50)"},
		{13, "sku_id", "looks like a number a spreadsheet rounded"},
		{14, "", "This line has 4 cells; the header has 8"},
		{15, "cost", "The cost is empty"},
		{16, "product_cost", `The product_cost "1.x" is not a plain number`},
	}
	if len(got) != len(want) {
		t.Errorf("%d problems; want %d:\n%v", len(got), len(want), got)
	}
	for i, w := range want {
		if i >= len(got) {
			break
		}
		if g := got[i]; g.Line != w.line || g.Column != w.column || !strings.Contains(g.Message, w.says) {
			t.Errorf("problem %d = line %d, %q: %q; want line %d, %q, saying %q", i, g.Line, g.Column, g.Message, w.line, w.column, w.says)
		}
	}
	if h := s.history(t); len(h) != 0 {
		t.Fatalf("a refused import applied %d rows: %+v", len(h), h)
	}
}

func TestAnImportBeyondTheLimitsOrWithoutItsColumnsIsRefusedAsAWhole(t *testing.T) {
	s := newSeller(t)
	header := "seller_sku,sku_id,cost,currency,effective_from\n"
	var many strings.Builder
	many.WriteString(header)
	for i := range costs.MaxImportRows + 1 {
		fmt.Fprintf(&many, "TEE-BLK-M,1001,1.00,USD,%s\n", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("2006-01-02"))
	}
	huge := header + strings.Repeat("TEE-BLK-M,1001,1.00,USD,2026-01-01\n", costs.MaxImportBytes/30)
	cases := []struct {
		name, file string
		line       int
		column     string
		says       string
	}{
		{"too large", huge, 0, "", "larger than 2 MiB"},
		{"too many rows", many.String(), 0, "", "more than 20,000 rows"},
		{"empty", "", 0, "", "The file is empty"},
		{"header only", header, 0, "", "no rows of costs"},
		{"missing column", "seller_sku,sku_id,cost,effective_from\nTEE-BLK-M,1001,1.00,2026-01-01\n", 1, "currency", "no currency column"},
		{"unknown column", header[:len(header)-1] + ",packging\n", 1, "packging", `Unknown column "packging"`},
		{"not UTF-8", header + "TEE-\xff,1001,1.00,USD,2026-01-01\n", 0, "", "not UTF-8"},
		{"broken quotes", header + "\"TEE,1001,1.00,USD,2026-01-01\n", 2, "", "not valid CSV"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.importCSV(t, c.file)
			got := problemsOf(t, err)
			if len(got) != 1 || got[0].Line != c.line || got[0].Column != c.column || !strings.Contains(got[0].Message, c.says) {
				t.Fatalf("problems %.300v; want one, on line %d, column %q, saying %q", got, c.line, c.column, c.says)
			}
		})
	}
	if h := s.history(t); len(h) != 0 {
		t.Fatalf("refused imports applied %d rows", len(h))
	}
}

func TestAnExportImportsBackWithNoChangesAndNeutralisesFormulas(t *testing.T) {
	s := newSeller(t)
	// Columns in another order, components on one row only, and a seller SKU a spreadsheet would run.
	file := `sku_id,seller_sku,effective_from,currency,cost,product_cost,inbound_freight,packaging
1001,TEE-BLK-M,2026-01-01,USD,,3.00,1.00,0.20
1001,TEE-BLK-M,2026-03-01,usd,4.5,,,
1003,"=HYPERLINK(""x"")",2026-02-01,USD,0,,,
`
	if rep, err := s.importCSV(t, file); err != nil || rep.Changed != 3 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	out := s.export(t)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v\n%s", err, out)
	}
	want := [][]string{
		{"seller_sku", "sku_id", "cost", "currency", "effective_from", "product_cost", "inbound_freight", "packaging"},
		{"TEE-BLK-M", "1001", "4.20", "USD", "2026-01-01", "3.00", "1.00", "0.20"},
		{"TEE-BLK-M", "1001", "4.50", "USD", "2026-03-01", "4.50", "0.00", "0.00"},
		{`'=HYPERLINK("x")`, "1003", "0.00", "USD", "2026-02-01", "0.00", "0.00", "0.00"},
	}
	if !slices.EqualFunc(recs, want, slices.Equal) {
		t.Fatalf("export:\n%q\nwant\n%q", recs, want)
	}
	rep, err := s.importCSV(t, out)
	if err != nil || rep.Rows != 3 || rep.Changed != 0 {
		t.Fatalf("importing the export: %+v, %v; want 3 rows, 0 changed", rep, err)
	}
}

func TestACostOnlyRowKeepsTheStoredComponentsWhenTheySumToIt(t *testing.T) {
	s := newSeller(t)
	if _, err := s.importCSV(t, "sku_id,seller_sku,cost,currency,effective_from,product_cost,inbound_freight,packaging\n1001,,,USD,2026-01-01,3.00,1.00,0.20\n"); err != nil {
		t.Fatal(err)
	}
	rep, err := s.importCSV(t, "sku_id,seller_sku,cost,currency,effective_from\n1001,TEE-BLK-M,4.20,USD,2026-01-01\n")
	if err != nil || rep.Changed != 0 {
		t.Fatalf("the same landed cost without its components: %+v, %v; want 0 changed", rep, err)
	}
	if h := s.history(t); len(h) != 1 || h[0].InboundFreight != 100 {
		t.Fatalf("components lost: %+v", h)
	}
	rep, err = s.importCSV(t, "sku_id,seller_sku,cost,currency,effective_from\n1001,TEE-BLK-M,5.00,USD,2026-01-01\n")
	if h := s.history(t); err != nil || rep.Changed != 1 || len(h) != 1 || h[0].Components != (costs.Components{Product: 500}) {
		t.Fatalf("a new landed cost without components: %+v, %v, %+v; want it all as product cost", rep, err, h)
	}
}

func TestSettingACostOnTheSameDateReplacesItAndANewDateKeepsHistory(t *testing.T) {
	s := newSeller(t)
	set := func(e costs.Edit) (bool, error) {
		var changed bool
		err := s.tx(t, func(ctx context.Context, tx *store.Tx) error {
			var err error
			_, changed, err = costs.Set(ctx, tx, shop, e)
			return err
		})
		return changed, err
	}
	e := costs.Edit{SKUID: "1002", EffectiveFrom: "2026-03-01", ProductCost: "2.00", Packaging: "0.15"}
	if changed, err := set(e); err != nil || !changed {
		t.Fatalf("first cost: %v, %v", changed, err)
	}
	if changed, err := set(e); err != nil || changed {
		t.Fatalf("the same cost again: changed=%v, %v; want nothing changed", changed, err)
	}
	e.ProductCost = "2.10"
	if changed, err := set(e); err != nil || !changed {
		t.Fatalf("same date, new value: %v, %v", changed, err)
	}
	e.EffectiveFrom, e.ProductCost = "2026-03-10", "2.50"
	if _, err := set(e); err != nil {
		t.Fatal(err)
	}
	h := s.history(t)
	if len(h) != 2 || h[0].Landed() != 225 || h[1].Landed() != 265 {
		t.Fatalf("history: %+v; want 2.25 from 1 March and 2.65 from 10 March", h)
	}

	_, err := set(costs.Edit{SKUID: "9999", EffectiveFrom: "tomorrow", ProductCost: "-1", InboundFreight: "1.234"})
	var fe costs.FieldErrors
	if !errors.As(err, &fe) || fe["sku"] == "" || fe["effective_from"] == "" || fe["product_cost"] == "" || fe["inbound_freight"] == "" {
		t.Fatalf("a bad edit: %v; want errors on sku, effective_from, product_cost and inbound_freight", err)
	}
	if _, err := set(costs.Edit{SKUID: "1002", EffectiveFrom: "2026-03-01"}); !errors.As(err, &fe) || fe["product_cost"] == "" {
		t.Fatalf("an edit without any amount: %v", err)
	}
}

func TestTheLookupCostsAnOrderWithTheCostInForceWhenItWasPlaced(t *testing.T) {
	s := newSeller(t)
	if _, err := s.importCSV(t, validFile); err != nil {
		t.Fatal(err)
	}
	var l *costs.Lookup
	if err := s.tx(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		l, err = costs.LoadLookup(ctx, tx, shop)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		sku  string
		at   time.Time
		want int64
		ok   bool
	}{
		{"1001", time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC), 0, false},
		{"1001", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 420, true},
		{"1001", time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC), 420, true},
		{"1001", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 450, true},
		// Dates are UTC dates for now: 1 March 00:30 in Paris is still 28 February in UTC.
		{"1001", time.Date(2026, 3, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600)), 420, true},
		{"1001", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 450, true},
		{"1003", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 0, false},
	}
	for _, c := range cases {
		got, ok := l.CostAt(c.sku, c.at)
		if ok != c.ok || (ok && got != (money.Amount{Minor: c.want, Currency: "USD"})) {
			t.Errorf("CostAt(%s, %s) = %v, %v; want %d, %v", c.sku, c.at, got, ok, c.want, c.ok)
		}
	}
	if _, src := l.UnitCost("1003", testenv.Epoch, money.Amount{Minor: 1000, Currency: "USD"}); src != costs.SourceMissing {
		t.Errorf("a SKU without a cost and no fallback: source %v; want missing", src)
	}
}

func TestTheFallbackCostsSKUsWithoutACostAsAShareOfThePrice(t *testing.T) {
	s := newSeller(t)
	f, err := costs.ParsePercent("35.5%")
	if err != nil || f != (costs.Fallback{Set: true, BPS: 3550}) || f.Percent() != "35.5" {
		t.Fatalf("ParsePercent(35.5%%) = %+v (%q), %v", f, f.Percent(), err)
	}
	for _, bad := range []string{"abc", "100.01", "-5", "1.234", "1e2", "1000", "0", "0.00"} {
		if _, err := costs.ParsePercent(bad); err == nil {
			t.Errorf("ParsePercent(%q) accepted", bad)
		}
	}
	if f, err := costs.ParsePercent(" "); err != nil || f.Set {
		t.Errorf("an empty percentage: %+v, %v; want none", f, err)
	}
	if err := s.tx(t, func(ctx context.Context, tx *store.Tx) error {
		if changed, err := costs.SetFallback(ctx, tx, shop, f); err != nil || !changed {
			return fmt.Errorf("set: %v, %w", changed, err)
		}
		if changed, err := costs.SetFallback(ctx, tx, shop, f); err != nil || changed {
			return fmt.Errorf("set again: changed=%v, %w", changed, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.importCSV(t, validFile); err != nil {
		t.Fatal(err)
	}
	var l *costs.Lookup
	if err := s.tx(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		l, err = costs.LoadLookup(ctx, tx, shop)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	price := money.Amount{Minor: 1999, Currency: "USD"}
	if got, src := l.UnitCost("1003", testenv.Epoch, price); src != costs.SourceFallback || got.Minor != 710 {
		t.Errorf("fallback of 35.5%% of 19.99: %v (%v); want 7.10 (709.6 rounded) from the fallback", got, src)
	}
	if got, src := l.UnitCost("1001", testenv.Epoch, price); src != costs.SourceCost || got.Minor != 450 {
		t.Errorf("a SKU with a cost: %v (%v); want its own 4.50", got, src)
	}
	if got, ok := (costs.Fallback{Set: true, BPS: 10_000}).Of(money.Amount{Minor: math.MaxInt64, Currency: "USD"}); !ok || got.Minor != math.MaxInt64 {
		t.Errorf("100%% of the largest amount = %v", got)
	}
	if err := s.tx(t, func(ctx context.Context, tx *store.Tx) error {
		if _, err := costs.SetFallback(ctx, tx, shop, costs.Fallback{}); err != nil {
			return err
		}
		got, err := costs.GetFallback(ctx, tx, shop)
		if err == nil && got.Set {
			err = fmt.Errorf("fallback %+v after clearing it", got)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestTheSKUListHasEveryListedOrSoldSKUWithUnitsAndTodaysCost(t *testing.T) {
	s := newSeller(t)
	if _, err := s.importCSV(t, validFile+"TEE-BLK-M,1001,9.99,USD,2026-12-01\n"); err != nil {
		t.Fatal(err)
	}
	var skus []costs.SKU
	var counts costs.Counts
	if err := s.tx(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if skus, err = costs.ListSKUs(ctx, tx, shop, testenv.Epoch, costs.ListOptions{Limit: 50}); err != nil {
			return err
		}
		counts, err = costs.CountSKUs(ctx, tx, shop, testenv.Epoch)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(skus) != 3 || counts != (costs.Counts{SKUs: 3, Missing: 1}) {
		t.Fatalf("%d SKUs, counts %+v; want 3 SKUs, 1 without a cost", len(skus), counts)
	}
	tee, sold := skus[0], skus[1]
	if tee.SKUID != "1001" || tee.Title != "Black tee" || tee.UnitsSold != 3 || tee.Current == nil || tee.Current.Landed() != 450 {
		t.Errorf("the T-shirt: %+v; want 3 sold at 4.50 today (the December cost is not in force yet)", tee)
	}
	if sold.SKUID != "1003" || sold.UnitsSold != 1 || sold.Current != nil || sold.Title != "" {
		t.Errorf("the unlisted sold SKU: %+v; want 1 sold, no cost", sold)
	}
	if mug := skus[2]; mug.SKUID != "1002" || mug.UnitsSold != 0 || mug.Current == nil {
		t.Errorf("the mug: %+v", mug)
	}
}

func TestASellerCannotSeeOrCostAnotherSellersSKUs(t *testing.T) {
	a := newSeller(t)
	if _, err := a.importCSV(t, validFile); err != nil {
		t.Fatal(err)
	}
	b := &seller{env: a.env}
	var err error
	if b.userID, err = a.env.Store.CreateTenant(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	coststest.Seed(t, a.env.Store, b.userID, "8001", "USD", coststest.SKU{ID: "2001", SellerSKU: "B-1", Listed: true})
	coststest.Seed(t, a.env.Store, b.userID, shop, "USD", coststest.SKU{ID: "2002", SellerSKU: "B-2", Listed: true})

	_, err = b.importCSV(t, validFile)
	for _, p := range problemsOf(t, err) {
		if p.Column != "sku_id" || !strings.Contains(p.Message, "is not a SKU this shop lists or has sold") {
			t.Errorf("seller B importing A's SKUs: %+v; want only unknown sku_id problems", p)
		}
	}
	if h := b.history(t); len(h) != 0 {
		t.Errorf("seller B sees %d cost rows of seller A", len(h))
	}
	if err := b.tx(t, func(ctx context.Context, tx *store.Tx) error {
		skus, err := costs.ListSKUs(ctx, tx, shop, testenv.Epoch, costs.ListOptions{Limit: 50})
		if err != nil {
			return err
		}
		if len(skus) != 1 || skus[0].SKUID != "2002" || skus[0].Current != nil {
			return fmt.Errorf("seller B's SKU list: %+v; want only their own 2002, without a cost", skus)
		}
		_, _, err = costs.Set(ctx, tx, shop, costs.Edit{SKUID: "1001", EffectiveFrom: "2026-01-01", ProductCost: "1"})
		var fe costs.FieldErrors
		if !errors.As(err, &fe) || fe["sku"] == "" {
			return fmt.Errorf("seller B setting A's SKU's cost: %v; want an unknown SKU", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if h := a.history(t); len(h) != 3 {
		t.Errorf("seller A has %d cost rows; want their 3", len(h))
	}
}
