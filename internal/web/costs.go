package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/costs"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
)

// costsPageSize is how many SKUs Settings -> Costs shows at once: each row carries an edit form, and template work
// per row is what a long page costs.
const costsPageSize = 100

// costsView is Settings -> Costs: one shop's SKUs with their costs, the shop's fallback, and the CSV import and
// export.
type costsView struct {
	Shops       []costShop // every shop of the seller; a selector shows when there are several
	ShopID      string     // the shop shown; "" when the seller has none
	ShopName    string
	Currency    string // the shop's; "" before its first sync
	Today       string // the default effective date of an edit, 2006-01-02: the seller's date
	SKUCount    string // "1,234"
	Missing     int64  // SKUs without a cost today
	MissingText string // "12"
	OnlyMissing bool
	Page        int // the page of SKUs shown, from 1; forms carry it so the seller lands back on it
	SKUs        []costRow
	RangeText   string // "1–100 of 1,234"
	PrevURL     string
	NextURL     string
	AllURL      string // the list without its filter
	MissingURL  string // the list of SKUs without a cost
	ExportURL   string
	Fallback    string // the fallback percentage as typed, "" for none
	FallbackSet bool
	MaxFileMiB  int
	MaxRowsText string
	Flash       string
	Errors      formErrors // Form: the page's problem; Fields["fallback_percent"], Fields["file"]
	Import      *importView
}

type costShop struct {
	ShopID   string
	Name     string
	Selected bool
}

// costRow is one SKU. Amounts are written out for the seller ("$4.50"); the edit form's values as typed ("4.50").
type costRow struct {
	Index     int // numbers the row's element ids
	SKUID     string
	SellerSKU string
	Title     string
	UnitsSold string
	HasCost   bool
	Landed    string
	Since     string // the date the cost in force applies from
	Product   string
	Freight   string
	Packaging string
	History   []costHistoryRow
	Edit      costEdit
}

type costHistoryRow struct {
	From      string
	Landed    string
	Current   bool // in force today
	Scheduled bool // applies from a later date
}

// costEdit is a row's inline form: the current cost to start from, or what the seller typed and its errors.
type costEdit struct {
	Open     bool   // shown unfolded: the seller's last try had errors
	SKUError string // the SKU itself was refused
	Fields   []costField
}

// costField is one input of a row's form, with its element id and error.
type costField struct {
	ID          string
	Name        string
	Label       string
	Type        string
	Value       string
	Hint        string
	Error       string
	DescribedBy string // the ids of the hint and the error, as aria-describedby wants them
}

// costsImportPath takes a costs CSV; it has a body limit of its own (see routes).
const costsImportPath = "/settings/costs/import"

// newCostEdit lays out a row's form: typed holds the values (effective_from, product_cost, inbound_freight,
// packaging), errs the seller's last try's errors.
func newCostEdit(index int, currency string, typed map[string]string, errs map[string]string) costEdit {
	e := costEdit{Open: len(errs) > 0, SKUError: errs["sku"]}
	inputs := []struct{ name, label, kind, hint string }{
		{"effective_from", "Applies from", "date", "Orders placed from this day on use this cost."},
		{"product_cost", "Product cost (" + currency + ")", "text", ""},
		{"inbound_freight", "Inbound freight (" + currency + ")", "text", ""},
		{"packaging", "Packaging (" + currency + ")", "text", ""},
	}
	for _, in := range inputs {
		f := costField{ID: fmt.Sprintf("cost-%d-%s", index, in.name), Name: in.name, Label: in.label, Type: in.kind,
			Value: typed[in.name], Hint: in.hint, Error: errs[in.name]}
		var ids []string
		if f.Hint != "" {
			ids = append(ids, f.ID+"-hint")
		}
		if f.Error != "" {
			ids = append(ids, f.ID+"-error")
		}
		f.DescribedBy = strings.Join(ids, " ")
		e.Fields = append(e.Fields, f)
	}
	return e
}

// importView is a refused import: where each problem is, and that nothing was applied.
type importView struct {
	FileName string
	Problems []importProblem
	More     int // problems not listed
}

type importProblem struct {
	Line    string // "File" for the file as a whole
	Column  string
	Message string
}

// costsState is what one render of the page needs that the request does not say.
type costsState struct {
	view     costsView
	failedAt string            // the SKU whose edit failed: its row keeps the typed values and errors
	typed    map[string]string // what was typed into that row's form
	errs     costs.FieldErrors
}

func (s *Server) costsPage(c echo.Context) error {
	var flash string
	q := c.QueryParams()
	switch q.Get("done") {
	case "saved":
		flash = "Cost saved. Orders from its date on use it; earlier orders keep the cost in force when they were placed."
	case "unchanged":
		flash = "Nothing changed: that cost was already saved for that date."
	case "fallback":
		flash = "Default cost saved."
	case "imported":
		rows, _ := strconv.Atoi(q.Get("rows"))
		changed, _ := strconv.Atoi(q.Get("changed"))
		flash = fmt.Sprintf("%s applied (%s changed).", plural(rows, "cost"), count(int64(changed)))
	}
	return s.renderCosts(c, http.StatusOK, costsState{view: costsView{Flash: flash}})
}

// costsQuery is where the page is: its shop, filter and page number, from the query string or the posted form.
type costsQuery struct {
	shop        string
	onlyMissing bool
	page        int
}

func costsQueryOf(c echo.Context) costsQuery {
	page, err := strconv.Atoi(c.FormValue("page"))
	if err != nil || page < 1 {
		page = 1
	}
	return costsQuery{shop: c.FormValue("shop"), onlyMissing: c.FormValue("missing") == "1", page: page}
}

// url is the page at q, with extra query parameters.
func (q costsQuery) url(extra url.Values) string {
	v := url.Values{}
	if q.shop != "" {
		v.Set("shop", q.shop)
	}
	if q.onlyMissing {
		v.Set("missing", "1")
	}
	if q.page > 1 {
		v.Set("page", strconv.Itoa(q.page))
	}
	for k, vs := range extra {
		v[k] = vs
	}
	if len(v) == 0 {
		return "/settings/costs"
	}
	return "/settings/costs?" + v.Encode()
}

// sellerShop finds the shop a request names among the seller's shops, or their first shop when it names none. It
// returns nil when the seller has no shop, and a 404 for a shop that is not theirs.
func sellerShop(ctx context.Context, tx *store.Tx, shopID string) ([]shops.Connected, *shops.Connected, error) {
	sc, err := sellerShops(ctx, tx, shopID)
	if err != nil || len(sc.all) == 0 {
		return sc.all, nil, err
	}
	if shopID == "" {
		shopID = sc.all[0].ShopID
	}
	i := slices.IndexFunc(sc.all, func(sh shops.Connected) bool { return sh.ShopID == shopID })
	return sc.all, &sc.all[i], nil
}

// renderCosts renders Settings -> Costs for the shop, filter and page the request names.
func (s *Server) renderCosts(c echo.Context, status int, st costsState) error {
	ctx := c.Request().Context()
	q := costsQueryOf(c)
	view := st.view
	view.MaxFileMiB, view.MaxRowsText = costs.MaxImportBytes>>20, count(costs.MaxImportRows)
	view.OnlyMissing, view.Page = q.onlyMissing, q.page
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		// Costs apply from the start of their day in the seller's zone (rollup.CostDay): so does "today" here.
		now := rollup.CostDay(s.opts.Clock.Now(), zone)
		view.Today = now.Format("2006-01-02")
		list, shop, err := sellerShop(ctx, tx, q.shop)
		if err != nil || shop == nil {
			return err
		}
		for _, sh := range list {
			view.Shops = append(view.Shops, costShop{ShopID: sh.ShopID, Name: sh.Name, Selected: sh.ShopID == shop.ShopID})
		}
		view.ShopID, view.ShopName = shop.ShopID, shop.Name
		q.shop = shop.ShopID
		if view.Currency, err = costs.ShopCurrency(ctx, tx, shop.ShopID); err != nil {
			return err
		}
		fallback, err := costs.GetFallback(ctx, tx, shop.ShopID)
		if err != nil {
			return err
		}
		if _, typed := st.view.Errors.Fields["fallback_percent"]; !typed {
			view.Fallback = fallback.Percent()
		}
		view.FallbackSet = fallback.Set
		counts, err := costs.CountSKUs(ctx, tx, shop.ShopID, now)
		if err != nil {
			return err
		}
		view.SKUCount, view.Missing, view.MissingText = count(counts.SKUs), counts.Missing, count(counts.Missing)
		skus, err := costs.ListSKUs(ctx, tx, shop.ShopID, now, costs.ListOptions{OnlyMissing: q.onlyMissing,
			Offset: (q.page - 1) * costsPageSize, Limit: costsPageSize + 1})
		if err != nil {
			return err
		}
		history, err := costs.History(ctx, tx, shop.ShopID)
		if err != nil {
			return err
		}
		view.paginate(q, counts, len(skus))
		if len(skus) > costsPageSize {
			skus = skus[:costsPageSize]
		}
		view.SKUs = costRows(skus, history, view.Currency, view.Today, st)
		return nil
	})
	if err != nil {
		return err
	}
	base := costsQuery{shop: view.ShopID}
	view.AllURL = base.url(nil)
	base.onlyMissing = true
	view.MissingURL = base.url(nil)
	if view.ShopID != "" {
		view.ExportURL = "/settings/costs/export.csv?" + url.Values{"shop": {view.ShopID}}.Encode()
	}
	return s.render(c, status, "costs", "Cost of goods", view)
}

// paginate sets the range text and the previous and next links; got is how many rows the page read (one more
// than a page when there is a next one).
func (v *costsView) paginate(q costsQuery, counts costs.Counts, got int) {
	total := counts.SKUs
	if q.onlyMissing {
		total = counts.Missing
	}
	first := int64((q.page-1)*costsPageSize) + 1
	last := first + int64(min(got, costsPageSize)) - 1
	if got > 0 {
		v.RangeText = fmt.Sprintf("%s–%s of %s", count(first), count(last), count(total))
	}
	if q.page > 1 {
		prev := q
		prev.page--
		v.PrevURL = prev.url(nil)
	}
	if got > costsPageSize {
		next := q
		next.page++
		v.NextURL = next.url(nil)
	}
}

func costRows(skus []costs.SKU, history []costs.Cost, currency, today string, st costsState) []costRow {
	bySKU := map[string][]costs.Cost{}
	for _, h := range history {
		bySKU[h.SKUID] = append(bySKU[h.SKUID], h)
	}
	rows := make([]costRow, len(skus))
	for i, k := range skus {
		r := costRow{Index: i, SKUID: k.SKUID, SellerSKU: k.SellerSKU, Title: k.Title, UnitsSold: count(k.UnitsSold)}
		typed := map[string]string{"effective_from": today}
		if cur := k.Current; cur != nil {
			r.HasCost, r.Since = true, cur.Date()
			r.Landed = formatMinor(cur.Landed(), cur.Currency)
			r.Product = formatMinor(cur.Product, cur.Currency)
			r.Freight = formatMinor(cur.InboundFreight, cur.Currency)
			r.Packaging = formatMinor(cur.Packaging, cur.Currency)
			typed["product_cost"] = decimalMinor(cur.Product, cur.Currency)
			typed["inbound_freight"] = decimalMinor(cur.InboundFreight, cur.Currency)
			typed["packaging"] = decimalMinor(cur.Packaging, cur.Currency)
		}
		for _, h := range bySKU[k.SKUID] {
			r.History = append(r.History, costHistoryRow{From: h.Date(), Landed: formatMinor(h.Landed(), h.Currency),
				Current: k.Current != nil && h.Date() == k.Current.Date(), Scheduled: h.Date() > today})
		}
		var errs map[string]string
		if st.failedAt != "" && st.failedAt == k.SKUID {
			typed, errs = st.typed, st.errs
		}
		r.Edit = newCostEdit(i, currency, typed, errs)
		rows[i] = r
	}
	return rows
}

func formatMinor(minor int64, currency string) string {
	return money.Amount{Minor: minor, Currency: currency}.Format()
}

func decimalMinor(minor int64, currency string) string {
	return money.Amount{Minor: minor, Currency: currency}.Decimal()
}

// setCost saves one SKU's cost from a date (the inline edit form).
func (s *Server) setCost(c echo.Context) error {
	ctx := c.Request().Context()
	q := costsQueryOf(c)
	edit := costs.Edit{SKUID: c.FormValue("sku"), EffectiveFrom: c.FormValue("effective_from"),
		ProductCost: c.FormValue("product_cost"), InboundFreight: c.FormValue("inbound_freight"), Packaging: c.FormValue("packaging")}
	var changed bool
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		_, shop, err := sellerShop(ctx, tx, q.shop)
		if err != nil {
			return err
		}
		if shop == nil {
			return echo.NewHTTPError(http.StatusNotFound, "Connect a shop first.")
		}
		saved, ch, err := costs.Set(ctx, tx, shop.ShopID, edit)
		if err != nil {
			return err
		}
		changed = ch
		if ch {
			// The orders this cost reaches show it in the same transaction.
			if _, err := rollup.CostsChanged(ctx, tx, shop.ShopID, []string{saved.SKUID}, saved.EffectiveFrom); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, "costs.set", account.IPHint(c.RealIP()), map[string]any{
			"shop": shop.ShopID, "sku": saved.SKUID, "effective_from": saved.Date(), "changed": ch})
	})
	var fe costs.FieldErrors
	if errors.As(err, &fe) {
		msgs := make([]string, 0, len(fe))
		for _, f := range []string{"sku", "effective_from", "product_cost", "inbound_freight", "packaging"} {
			if m, ok := fe[f]; ok {
				msgs = append(msgs, m)
			}
		}
		typed := map[string]string{"effective_from": edit.EffectiveFrom, "product_cost": edit.ProductCost,
			"inbound_freight": edit.InboundFreight, "packaging": edit.Packaging}
		return s.renderCosts(c, http.StatusUnprocessableEntity, costsState{
			view:     costsView{Errors: formErrors{Form: "The cost was not saved. " + strings.Join(msgs, " ")}},
			failedAt: strings.TrimSpace(edit.SKUID), typed: typed, errs: fe})
	}
	if err != nil {
		return err
	}
	done := "saved"
	if !changed {
		done = "unchanged"
	}
	return c.Redirect(http.StatusSeeOther, q.url(url.Values{"done": {done}}))
}

// setCostFallback saves the shop's default cost for SKUs without one, as a share of the sale price.
func (s *Server) setCostFallback(c echo.Context) error {
	ctx := c.Request().Context()
	q := costsQueryOf(c)
	typed := c.FormValue("fallback_percent")
	fallback, err := costs.ParsePercent(typed)
	var fe costs.FieldErrors
	if errors.As(err, &fe) {
		return s.renderCosts(c, http.StatusUnprocessableEntity, costsState{view: costsView{Fallback: typed,
			Errors: formErrors{Form: "The default cost was not saved.", Fields: fe}}})
	}
	if err != nil {
		return err
	}
	err = s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		_, shop, err := sellerShop(ctx, tx, q.shop)
		if err != nil {
			return err
		}
		if shop == nil {
			return echo.NewHTTPError(http.StatusNotFound, "Connect a shop first.")
		}
		changed, err := costs.SetFallback(ctx, tx, shop.ShopID, fallback)
		if err != nil {
			return err
		}
		if changed {
			if _, err := rollup.ShopChanged(ctx, tx, shop.ShopID); err != nil {
				return err
			}
		}
		detail := map[string]any{"shop": shop.ShopID, "fallback_bps": nil, "changed": changed}
		if fallback.Set {
			detail["fallback_bps"] = fallback.BPS
		}
		return tx.Audit(ctx, "costs.fallback", account.IPHint(c.RealIP()), detail)
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, q.url(url.Values{"done": {"fallback"}}))
}

// importCosts applies a CSV of costs to a shop, all rows or none. A refused file re-renders the page with each
// problem's line and column.
func (s *Server) importCosts(c echo.Context) error {
	ctx := c.Request().Context()
	q := costsQueryOf(c)
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderCosts(c, http.StatusUnprocessableEntity, costsState{view: costsView{Errors: formErrors{
			Form: "Nothing was imported: choose a CSV file first.", Fields: map[string]string{"file": "Choose a CSV file."}}}})
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("web: open uploaded costs file: %w", err)
	}
	defer f.Close()
	var rep costs.Report
	err = s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		_, shop, err := sellerShop(ctx, tx, q.shop)
		if err != nil {
			return err
		}
		if shop == nil {
			return echo.NewHTTPError(http.StatusNotFound, "Connect a shop first.")
		}
		if rep, err = costs.Import(ctx, tx, shop.ShopID, f); err != nil {
			return err
		}
		if rep.Changed > 0 {
			if _, err := rollup.CostsChanged(ctx, tx, shop.ShopID, rep.SKUs, rep.Since); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, "costs.import", account.IPHint(c.RealIP()), map[string]any{
			"shop": shop.ShopID, "rows": rep.Rows, "changed": rep.Changed})
	})
	var refused *costs.ImportError
	if errors.As(err, &refused) {
		iv := &importView{FileName: fh.Filename, More: refused.Total - len(refused.Problems)}
		for _, p := range refused.Problems {
			line := "File"
			if p.Line > 0 {
				line = strconv.Itoa(p.Line)
			}
			iv.Problems = append(iv.Problems, importProblem{Line: line, Column: p.Column, Message: p.Message})
		}
		return s.renderCosts(c, http.StatusUnprocessableEntity, costsState{view: costsView{Import: iv, Errors: formErrors{
			Form: fmt.Sprintf("Nothing was applied: %s has %s. Correct them and import the whole file again.",
				fh.Filename, plural(refused.Total, "problem"))}}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, q.url(url.Values{"done": {"imported"},
		"rows": {strconv.Itoa(rep.Rows)}, "changed": {strconv.FormatInt(rep.Changed, 10)}}))
}

// unsafeFileName matches what a download's file name may not hold.
var unsafeFileName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// exportCosts downloads the shop's whole cost history as CSV, in the form the import reads.
func (s *Server) exportCosts(c echo.Context) error {
	ctx := c.Request().Context()
	var buf bytes.Buffer
	var shopID string
	// The file is built before the first byte goes out, so a failure is an error page, not half a file.
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		_, shop, err := sellerShop(ctx, tx, c.QueryParam("shop"))
		if err != nil {
			return err
		}
		if shop == nil {
			return echo.NewHTTPError(http.StatusNotFound, "Connect a shop first.")
		}
		shopID = shop.ShopID
		_, err = costs.Export(ctx, tx, shop.ShopID, &buf)
		return err
	})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("costs-%s-%s.csv", unsafeFileName.ReplaceAllString(shopID, "_"), s.opts.Clock.Now().UTC().Format("2006-01-02"))
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
