package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/csvsafe"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/redact"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// exportChunk is how many rows an export reads at a time: it holds one chunk in memory, whatever the range.
const exportChunk = 1000

// measureIsCount says which of profit.MeasureNames are counts; the others are amounts, written as decimals. It is
// worked out from profit.Totals itself: a measure is a count when setting it alone leaves every amount zero.
var measureIsCount = func() []bool {
	names := profit.MeasureNames()
	var zero profit.Totals
	if err := zero.SetMeasures("USD", make([]int64, len(names))); err != nil {
		panic(err)
	}
	out := make([]bool, len(names))
	for i := range names {
		v := make([]int64, len(names))
		v[i] = 1
		var t profit.Totals
		if err := t.SetMeasures("USD", v); err != nil {
			panic(err)
		}
		out[i] = t.Amounts == zero.Amounts
	}
	return out
}()

// measureCells writes measures (profit.MeasureNames' order) as CSV cells: counts as integers, amounts as decimals
// of currency ("-12.30").
func measureCells(rec []string, currency string, measures []int64) []string {
	for i, v := range measures {
		if measureIsCount[i] {
			rec = append(rec, strconv.FormatInt(v, 10))
		} else {
			rec = append(rec, money.Amount{Minor: v, Currency: currency}.Decimal())
		}
	}
	return rec
}

// marginPercent is a margin as a percentage with two decimals, "12.34", or "" without net sales.
func marginPercent(a profit.Amounts) string {
	if a.NetSales.Minor <= 0 {
		return ""
	}
	bps := a.MarginBps()
	sign := ""
	if bps < 0 {
		sign, bps = "-", -bps
	}
	return fmt.Sprintf("%s%d.%02d", sign, bps/100, bps%100)
}

// csvDownload streams a CSV attachment: rows go out as they are read. Nothing is sent before start, so a failure
// up to then is an ordinary error page; after it, finish cuts the connection, so the client sees a failed
// download, never a short file that looks whole.
type csvDownload struct {
	c       echo.Context
	name    string
	w       *csvsafe.Writer
	started bool
}

// start sends the headers and the CSV's header row.
func (d *csvDownload) start(header []string) error {
	h := d.c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+d.name+`"`)
	h.Set(echo.HeaderCacheControl, "no-store")
	d.c.Response().WriteHeader(http.StatusOK)
	d.started = true
	d.w = csvsafe.NewWriter(d.c.Response())
	return d.w.Write(header)
}

func (d *csvDownload) write(rec []string) error { return d.w.Write(rec) }

// flush sends what was written so far.
func (d *csvDownload) flush() error {
	d.w.Flush()
	if err := d.w.Error(); err != nil {
		return err
	}
	d.c.Response().Flush()
	return nil
}

// finish ends the download with the export's error: nil, an error page when nothing was sent yet, or a cut
// connection (logged, unless the client went away itself).
func (s *Server) finish(d *csvDownload, err error) error {
	if err == nil || !d.started {
		return err
	}
	if d.c.Request().Context().Err() == nil {
		s.log.LogAttrs(d.c.Request().Context(), slog.LevelError, "export failed after it started",
			slog.String("request_id", requestIDOf(d.c)), slog.String("file", d.name), slog.String("err", redact.Text(err.Error())))
	}
	panic(http.ErrAbortHandler)
}

// exportName is a download's file name: what it holds, its shop if one, and its days.
func exportName(what, shopID string, days dayRange) string {
	name := what
	if shopID != "" {
		name += "-" + unsafeFileName.ReplaceAllString(shopID, "_")
	}
	return name + "-" + days.FirstText() + "-to-" + days.LastText() + ".csv"
}

// exportOrders downloads the orders /orders shows for the same range and filters, every page, oldest first, with
// every figure of their profit.
func (s *Server) exportOrders(c echo.Context) error {
	ctx := c.Request().Context()
	q, err := ordersQueryOf(c)
	if err != nil {
		return err
	}
	d := &csvDownload{c: c}
	header := append([]string{"order_id", "shop_id", "shop_name", "created_at", "day", "status", "state", "flags", "currency"},
		profit.MeasureNames()...)
	header = append(header, "estimated_net_profit", "margin_percent")
	err = s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		days, rangeErr := parseDayRange(q.from, q.to, s.opts.Clock.Now(), zone)
		if rangeErr != "" {
			return echo.NewHTTPError(http.StatusBadRequest, rangeErr)
		}
		sc, err := sellerShops(ctx, tx, q.shop)
		if err != nil {
			return err
		}
		d.name = exportName("orders", q.shop, days)
		f := q.filter(days, sc)
		f.sort = "oldest" // the index's own order: a chunk never sorts the range
		var after *orderCursor
		for {
			rows, err := listOrders(ctx, tx, f, after, exportChunk)
			if err != nil {
				return err
			}
			if !d.started {
				if err := d.start(header); err != nil {
					return err
				}
			}
			for _, r := range rows {
				t, err := totalsOf(r.Currency, r.Measures)
				if err != nil {
					return err
				}
				placed := r.CreateTime.In(zone)
				rec := []string{r.OrderID, r.ShopID, sc.name(r.ShopID), placed.Format(time.RFC3339), placed.Format(dayLayout),
					r.Status, r.State, profit.Flags(r.Flags).String(), r.Currency}
				rec = measureCells(rec, r.Currency, r.Measures)
				rec = append(rec, money.Amount{Minor: r.EstimatedNetProfit, Currency: r.Currency}.Decimal(), marginPercent(t.Amounts))
				if err := d.write(rec); err != nil {
					return err
				}
			}
			if err := d.flush(); err != nil {
				return err
			}
			if len(rows) < exportChunk {
				return nil
			}
			next := cursorAfter(f.sort, rows[len(rows)-1])
			after = &next
		}
	})
	return s.finish(d, err)
}

// exportSKUs downloads the SKU table of a range: every SKU, per shop and currency, with every figure.
func (s *Server) exportSKUs(c echo.Context) error {
	ctx := c.Request().Context()
	shopID := c.QueryParam("shop")
	d := &csvDownload{c: c}
	header := append([]string{"shop_id", "shop_name", "sku_id", "seller_sku", "currency"}, profit.MeasureNames()...)
	header = append(header, "margin_percent")
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		days, sc, err := s.exportScope(c, tx, shopID)
		if err != nil {
			return err
		}
		d.name = exportName("skus", shopID, days)
		return readSKUs(ctx, tx, sc.ids, days, func(chunk []skuFigures) error {
			if !d.started {
				if err := d.start(header); err != nil {
					return err
				}
			}
			for _, k := range chunk {
				rec := []string{k.shopID, sc.name(k.shopID), k.skuID, k.sellerSKU, k.totals.Currency}
				rec = measureCells(rec, k.totals.Currency, k.totals.Measures())
				rec = append(rec, marginPercent(k.totals.Amounts))
				if err := d.write(rec); err != nil {
					return err
				}
			}
			return d.flush()
		})
	})
	return s.finish(d, err)
}

// exportDaily downloads the whole-order figures of each day of a range, per shop and currency.
func (s *Server) exportDaily(c echo.Context) error {
	ctx := c.Request().Context()
	shopID := c.QueryParam("shop")
	d := &csvDownload{c: c}
	header := append([]string{"day", "shop_id", "shop_name", "currency"}, profit.MeasureNames()...)
	header = append(header, "margin_percent")
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		days, sc, err := s.exportScope(c, tx, shopID)
		if err != nil {
			return err
		}
		d.name = exportName("daily", shopID, days)
		params := tenantdb.DailyProfitViewsParams{UserID: tx.UserID, ShopIds: sc.ids, FirstDay: days.First,
			LastDay: days.Last, First: true, MaxRows: exportChunk}
		for {
			rows, err := tx.Q.DailyProfitViews(ctx, params)
			if err != nil {
				return fmt.Errorf("web: export daily figures from %s: %w", days.FirstText(), err)
			}
			if !d.started {
				if err := d.start(header); err != nil {
					return err
				}
			}
			for _, r := range rows {
				if !slices.ContainsFunc(r.Measures, func(v int64) bool { return v != 0 }) {
					continue // what a day is left with when its orders moved to another
				}
				t, err := totalsOf(r.Currency, r.Measures)
				if err != nil {
					return err
				}
				rec := measureCells([]string{r.Day, r.ShopID, sc.name(r.ShopID), r.Currency}, r.Currency, r.Measures)
				if err := d.write(append(rec, marginPercent(t.Amounts))); err != nil {
					return err
				}
			}
			if err := d.flush(); err != nil {
				return err
			}
			if len(rows) < exportChunk {
				return nil
			}
			last := rows[len(rows)-1]
			day, err := time.Parse(dayLayout, last.Day)
			if err != nil {
				return fmt.Errorf("web: export daily figures: day %q: %w", last.Day, err)
			}
			params.First, params.AfterDay, params.AfterShop, params.AfterCurrency = false, day, last.ShopID, last.Currency
		}
	})
	return s.finish(d, err)
}

// exportScope is the range and shops of a SKU or daily export. A wrong range is refused rather than replaced:
// a file of other days than asked for would be worse than none.
func (s *Server) exportScope(c echo.Context, tx *store.Tx, shopID string) (dayRange, shopScope, error) {
	ctx := c.Request().Context()
	zone, err := rollup.TimeZone(ctx, tx)
	if err != nil {
		return dayRange{}, shopScope{}, err
	}
	days, rangeErr := parseDayRange(c.QueryParam("from"), c.QueryParam("to"), s.opts.Clock.Now(), zone)
	if rangeErr != "" {
		return dayRange{}, shopScope{}, echo.NewHTTPError(http.StatusBadRequest, rangeErr)
	}
	sc, err := sellerShops(ctx, tx, shopID)
	return days, sc, err
}
