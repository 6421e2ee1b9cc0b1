package costs

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/profitline/profitline/internal/csvsafe"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// The CSV's columns. The first five are required; the components are optional, and when a row gives any of them
// its cost is their sum (the cost cell may then be left empty).
const (
	ColSellerSKU      = "seller_sku"
	ColSKUID          = "sku_id"
	ColCost           = "cost"
	ColCurrency       = "currency"
	ColEffectiveFrom  = "effective_from"
	ColProductCost    = "product_cost"
	ColInboundFreight = "inbound_freight"
	ColPackaging      = "packaging"
)

var (
	requiredColumns  = []string{ColSellerSKU, ColSKUID, ColCost, ColCurrency, ColEffectiveFrom}
	componentColumns = []string{ColProductCost, ColInboundFreight, ColPackaging}
	// exportColumns is the header Export writes: everything, so an export imports back unchanged.
	exportColumns = append(append([]string{}, requiredColumns...), componentColumns...)
)

// Import limits: an import is read whole and validated before anything is written.
const (
	MaxImportBytes = 2 << 20
	MaxImportRows  = 20_000
	// maxProblems is how many problems an ImportError lists; Total counts them all.
	maxProblems = 500
)

// Problem is one thing wrong with an import file: where (the CSV's own line, the header being line 1; 0 for the
// file as a whole) and what.
type Problem struct {
	Line    int
	Column  string // "" for the whole line or file
	Message string
}

// ImportError is an import that was refused: nothing was applied. Problems lists the first few hundred problems
// in file order; Total counts them all.
type ImportError struct {
	Problems []Problem
	Total    int
}

func (e *ImportError) Error() string {
	if len(e.Problems) == 0 {
		return "costs: import refused"
	}
	p := e.Problems[0]
	return fmt.Sprintf("costs: import refused, %d problems; line %d, %s: %s", e.Total, p.Line, p.Column, p.Message)
}

func (e *ImportError) add(line int, column, format string, args ...any) {
	e.Total++
	if len(e.Problems) < maxProblems {
		e.Problems = append(e.Problems, Problem{Line: line, Column: column, Message: fmt.Sprintf(format, args...)})
	}
}

// Report is what an applied import did: rows read, and rows that were new or changed (0 when the same file is
// imported again).
type Report struct {
	Rows    int
	Changed int64
	// SKUs are the file's SKUs and Since its earliest effective date: the orders the import can reach (see
	// rollup.CostsChanged).
	SKUs  []string
	Since time.Time
}

// Import reads a CSV of costs for a shop (header seller_sku,sku_id,cost,currency,effective_from, optionally
// product_cost,inbound_freight,packaging, in any order) and validates every row; if any is wrong it returns an
// *ImportError listing each problem and writes nothing, else it applies every row in tx, in one statement.
//
// A row that gives only a cost keeps the components of the cost already stored for that SKU and date when their
// sum is that cost, so importing an export edited in a spreadsheet without the component columns changes nothing
// it did not mean to; otherwise the whole cost is the product cost.
func Import(ctx context.Context, tx *store.Tx, shopID string, r io.Reader) (Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return Report{}, fmt.Errorf("costs: read import: %w", err)
	}
	bad := &ImportError{}
	switch {
	case len(data) > MaxImportBytes:
		bad.add(0, "", "The file is larger than %d MiB. Split it into smaller files and import each.", MaxImportBytes>>20)
		return Report{}, bad
	case !utf8.Valid(data):
		bad.add(0, "", "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and import it again.")
		return Report{}, bad
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // spreadsheets write a byte-order mark

	currency, err := ShopCurrency(ctx, tx, shopID)
	if err != nil {
		return Report{}, err
	}
	skus, err := costable(ctx, tx, shopID)
	if err != nil {
		return Report{}, err
	}
	history, err := History(ctx, tx, shopID)
	if err != nil {
		return Report{}, err
	}
	stored := make(map[costKey]Cost, len(history))
	for _, c := range history {
		stored[costKey{c.SKUID, c.Date()}] = c
	}

	p := parser{bad: bad, currency: currency, skus: skus, stored: stored, now: tx.Now(), seen: map[costKey]int{}}
	rows := p.parse(data)
	if bad.Total > 0 {
		return Report{}, bad
	}
	if len(rows) == 0 {
		bad.add(0, "", "The file has no rows of costs under its header.")
		return Report{}, bad
	}
	params := tenantdb.ApplyCostsParams{UserID: tx.UserID, ShopID: shopID, Now: tx.Now()}
	for _, c := range rows {
		params.SkuIds = append(params.SkuIds, c.SKUID)
		params.EffectiveFroms = append(params.EffectiveFroms, c.EffectiveFrom)
		params.Currencies = append(params.Currencies, c.Currency)
		params.ProductCosts = append(params.ProductCosts, c.Product)
		params.InboundFreights = append(params.InboundFreights, c.InboundFreight)
		params.Packagings = append(params.Packagings, c.Packaging)
	}
	changed, err := tx.Q.ApplyCosts(ctx, params)
	if err != nil {
		return Report{}, fmt.Errorf("costs: apply import of %d rows to shop %s: %w", len(rows), shopID, err)
	}
	rep := Report{Rows: len(rows), Changed: changed, Since: rows[0].EffectiveFrom}
	for _, c := range rows {
		if !slices.Contains(rep.SKUs, c.SKUID) {
			rep.SKUs = append(rep.SKUs, c.SKUID)
		}
		if c.EffectiveFrom.Before(rep.Since) {
			rep.Since = c.EffectiveFrom
		}
	}
	return rep, nil
}

type costKey struct{ sku, date string }

// parser validates an import's rows, collecting every problem.
type parser struct {
	bad      *ImportError
	currency string
	skus     map[string]string // sku id -> seller SKU
	stored   map[costKey]Cost
	now      time.Time
	seen     map[costKey]int // line of each (sku, date) so far
	columns  map[string]int  // column name -> index
}

func (p *parser) parse(data []byte) []Cost {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // a short or long row is a problem to report, not a reason to stop
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		p.bad.add(0, "", "The file is empty. It needs a header line: %s.", strings.Join(requiredColumns, ","))
		return nil
	}
	if err != nil {
		p.csvProblem(err)
		return nil
	}
	if !p.readHeader(header) {
		return nil
	}
	if p.currency == "" {
		p.bad.add(0, "", "This shop has no orders or listings yet, so there is nothing to cost. Import again after its first sync.")
		return nil
	}
	var out []Cost
	rows := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			p.csvProblem(err)
			return out
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if rows++; rows > MaxImportRows {
			// The file is refused as a whole: its rows' own problems would only bury the reason.
			*p.bad = ImportError{}
			p.bad.add(0, "", "The file has more than %s rows of costs. Split it into smaller files and import each.", thousands(MaxImportRows))
			return nil
		}
		if len(rec) != len(header) {
			p.bad.add(line, "", "This line has %d cells; the header has %d.", len(rec), len(header))
			continue
		}
		if c, ok := p.row(line, rec); ok {
			out = append(out, c)
		}
	}
}

func (p *parser) csvProblem(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			msg = "a quotation mark is out of place (a cell with quotes must be wholly in quotes, with inner quotes doubled)"
		}
		p.bad.add(pe.Line, "", "This is not valid CSV from here on: %s.", msg)
		return
	}
	p.bad.add(0, "", "The file could not be read as CSV.")
}

// readHeader maps the header's columns, reporting unknown, repeated and missing ones on line 1.
func (p *parser) readHeader(header []string) bool {
	known := map[string]bool{}
	for _, c := range exportColumns {
		known[c] = true
	}
	p.columns = map[string]int{}
	ok := true
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case !known[name]:
			p.bad.add(1, h, "Unknown column %s. The columns are %s.", quote(h), strings.Join(exportColumns, ", "))
			ok = false
		case p.has(name):
			p.bad.add(1, name, "The column %s appears twice.", name)
			ok = false
		default:
			p.columns[name] = i
		}
	}
	for _, c := range requiredColumns {
		if !p.has(c) {
			p.bad.add(1, c, "The header has no %s column. It needs %s.", c, strings.Join(requiredColumns, ","))
			ok = false
		}
	}
	return ok
}

func (p *parser) has(column string) bool { _, ok := p.columns[column]; return ok }

// cell returns a column's trimmed value ("" when the file has no such column).
func (p *parser) cell(rec []string, column string) string {
	i, ok := p.columns[column]
	if !ok {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// row validates one line; ok is false when it has a problem (each is reported).
func (p *parser) row(line int, rec []string) (Cost, bool) {
	problems := p.bad.Total
	c := Cost{Currency: p.currency}

	c.SKUID = csvsafe.Unguard(p.cell(rec, ColSKUID))
	sellerSKU := csvsafe.Unguard(p.cell(rec, ColSellerSKU))
	switch known, ok := p.skus[c.SKUID]; {
	case c.SKUID == "":
		p.bad.add(line, ColSKUID, "The sku_id is empty.")
	case !ok && looksRounded(c.SKUID):
		p.bad.add(line, ColSKUID, "%s looks like a number a spreadsheet rounded. Format the sku_id column as text and copy the ids again.", quote(c.SKUID))
	case !ok:
		p.bad.add(line, ColSKUID, "%s is not a SKU this shop lists or has sold.", quote(c.SKUID))
	case sellerSKU != "" && sellerSKU != known:
		p.bad.add(line, ColSellerSKU, "%s does not match SKU %s, whose seller SKU is %s.", quote(sellerSKU), c.SKUID, quote(known))
	}

	switch cur := strings.ToUpper(p.cell(rec, ColCurrency)); {
	case cur == "":
		p.bad.add(line, ColCurrency, "The currency is empty; this shop's costs are in %s.", p.currency)
	case cur != p.currency:
		p.bad.add(line, ColCurrency, "%s is not this shop's currency; its costs are in %s.", quote(cur), p.currency)
	}

	date := p.cell(rec, ColEffectiveFrom)
	if date == "" {
		p.bad.add(line, ColEffectiveFrom, "The effective_from date is empty (YYYY-MM-DD).")
	} else if d, msg := parseDate(date, p.now); msg != "" {
		p.bad.add(line, ColEffectiveFrom, "%s.", upperFirst(msg))
	} else {
		c.EffectiveFrom = d
		key := costKey{c.SKUID, c.Date()}
		if first, dup := p.seen[key]; dup {
			p.bad.add(line, ColEffectiveFrom, "SKU %s already has a cost from %s on line %d.", c.SKUID, date, first)
		} else {
			p.seen[key] = line
		}
	}

	itemized, partsOK := false, true
	parts := []*int64{&c.Product, &c.InboundFreight, &c.Packaging}
	for i, col := range componentColumns {
		v := p.cell(rec, col)
		if v == "" {
			continue
		}
		itemized = true
		if minor, msg := parseCost(v, p.currency); msg != "" {
			p.bad.add(line, col, "The %s %s.", col, msg)
			partsOK = false
		} else {
			*parts[i] = minor
		}
	}
	cost := p.cell(rec, ColCost)
	switch {
	case cost == "" && !itemized:
		p.bad.add(line, ColCost, "The cost is empty.")
	case cost != "":
		minor, msg := parseCost(cost, p.currency)
		switch {
		case msg != "":
			p.bad.add(line, ColCost, "The cost %s.", msg)
		case itemized && partsOK && minor != c.Landed():
			p.bad.add(line, ColCost, "The cost %s is not the sum of product_cost, inbound_freight and packaging (%s). Leave it empty or correct it.",
				money.Amount{Minor: minor, Currency: p.currency}.Decimal(), money.Amount{Minor: c.Landed(), Currency: p.currency}.Decimal())
		case !itemized:
			c.Components = Components{Product: minor}
			if old, ok := p.stored[costKey{c.SKUID, c.Date()}]; ok && old.Landed() == minor && old.Currency == c.Currency {
				c.Components = old.Components
			}
		}
	}
	if c.Landed() > MaxMinor {
		p.bad.add(line, ColCost, "The cost is too large.")
	}
	return c, problems == p.bad.Total
}

// thousands writes n with thousands separators: 20,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// looksRounded reports a cell like "1.72946E+18": what a spreadsheet makes of a long numeric id.
func looksRounded(s string) bool {
	i := strings.IndexAny(s, "eE")
	return i > 0 && strings.ContainsAny(s[:i], "0123456789") && strings.Trim(s[i+1:], "+-0123456789") == "" && len(s) > i+1
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Export writes the shop's whole cost history as CSV to w, a row at a time: the columns Import reads, components
// included, so importing the file changes nothing. Every cell goes out through csvsafe, so a seller SKU a
// spreadsheet would run as a formula is written behind an apostrophe, which Import takes off again. It returns the
// number of cost rows written.
func Export(ctx context.Context, tx *store.Tx, shopID string, w io.Writer) (int, error) {
	rows, err := tx.Q.ExportCosts(ctx, tenantdb.ExportCostsParams{UserID: tx.UserID, ShopID: shopID})
	if err != nil {
		return 0, fmt.Errorf("costs: export costs of shop %s: %w", shopID, err)
	}
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(exportColumns); err != nil {
		return 0, fmt.Errorf("costs: export: %w", err)
	}
	dec := func(minor int64, currency string) string {
		return money.Amount{Minor: minor, Currency: currency}.Decimal()
	}
	for _, r := range rows {
		rec := []string{r.SellerSku, r.SkuID, dec(r.LandedCost, r.Currency), r.Currency,
			r.EffectiveFrom.UTC().Format(dateLayout), dec(r.ProductCost, r.Currency), dec(r.InboundFreight, r.Currency),
			dec(r.Packaging, r.Currency)}
		if err := cw.Write(rec); err != nil {
			return 0, fmt.Errorf("costs: export: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, fmt.Errorf("costs: export: %w", err)
	}
	return len(rows), nil
}
