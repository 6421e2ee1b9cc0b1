package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/costs"
	"github.com/profitline/profitline/internal/costs/coststest"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/testenv"
)

// costSeller is a signed-in seller whose shop 7001 lists a T-shirt (sold three times) and a mug, and sold a SKU no
// longer listed whose seller SKU a spreadsheet would run as a formula.
func costSeller(t *testing.T, s *shopSite, email string) (*http.Cookie, int64) {
	t.Helper()
	cookie, userID := s.seller(t, email)
	s.connectShop(t, userID, "7001", "Glow US", "US")
	sold := testenv.Epoch.Add(-48 * time.Hour)
	coststest.Seed(t, s.env.Store, userID, "7001", "USD",
		coststest.SKU{ID: "1001", SellerSKU: "TEE-BLK-M", Title: "Black tee", Listed: true, Sold: []time.Time{sold, sold, sold}},
		coststest.SKU{ID: "1002", SellerSKU: "MUG-01", Title: "Mug", Listed: true},
		coststest.SKU{ID: "1003", SellerSKU: "=HYPERLINK(\"http://evil.example\")", Sold: []time.Time{sold}},
	)
	return cookie, userID
}

func (s *shopSite) history(t *testing.T, userID int64, shopID string) []costs.Cost {
	t.Helper()
	var h []costs.Cost
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		h, err = costs.History(ctx, tx, shopID)
		return err
	})
	return h
}

// lastAudit returns the seller's latest audit entry: its action and its detail.
func (s *shopSite) lastAudit(t *testing.T, userID int64) (string, map[string]any) {
	t.Helper()
	var rows []tenantdb.ListAuditRow
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		rows, err = tx.Q.ListAudit(ctx, tenantdb.ListAuditParams{UserID: userID, Limit: 1})
		return err
	})
	if len(rows) == 0 {
		t.Fatal("no audit entry")
	}
	var detail map[string]any
	if err := json.Unmarshal(rows[0].Detail, &detail); err != nil {
		t.Fatal(err)
	}
	return rows[0].Action, detail
}

// upload posts a file to the import as a same-origin browser would.
func (s *shopSite) upload(t *testing.T, cookie *http.Cookie, shopID, name, content string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("shop", shopID); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/settings/costs/import", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(cookie)
	w := httptest.NewRecorder()
	s.srv.ServeHTTP(w, r)
	return w
}

func TestTheCostsPageListsEverySKUWithUnitsSoldAndFlagsThoseWithoutACost(t *testing.T) {
	s := newShopSite(t)
	if w := s.get("/settings/costs"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Fatalf("signed out: %d to %q; want the sign-in page", w.Code, w.Header().Get("Location"))
	}
	cookie, _ := costSeller(t, s, "costs@example.com")
	w := s.get("/settings/costs", cookie)
	if w.Code != http.StatusOK {
		t.Fatalf("costs page: %d\n%s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, want := range []string{"TEE-BLK-M", "Black tee", "MUG-01", "3 without a cost", `href="/settings/costs"`,
		`action="/settings/costs/import"`, `enctype="multipart/form-data"`, `href="/settings/costs/export.csv?shop=7001"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(body, "data-no-cost"); n != 3 {
		t.Errorf("%d rows flagged without a cost; want 3", n)
	}
	// Most sold first: the T-shirt's three units, then the unlisted SKU's one.
	if tee, gone := strings.Index(body, `data-sku="1001"`), strings.Index(body, `data-sku="1003"`); tee < 0 || gone < tee {
		t.Errorf("SKUs are not ordered by units sold")
	}
	if strings.Contains(body, `<select id="costs-shop"`) {
		t.Errorf("a seller with one shop is offered a shop selector")
	}
}

func TestASellerWithSeveralShopsPicksOneAndCannotOpenAnotherSellersShop(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := costSeller(t, s, "two@example.com")
	s.connectShop(t, userID, "7002", "Glow UK", "GB")
	coststest.Seed(t, s.env.Store, userID, "7002", "GBP", coststest.SKU{ID: "5001", SellerSKU: "UK-ONLY", Listed: true})
	_, other := s.seller(t, "other@example.com")
	s.connectShop(t, other, "9001", "Not yours", "US")

	w := s.get("/settings/costs?shop=7002", cookie)
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, `<select id="costs-shop"`) || !strings.Contains(body, "UK-ONLY") || strings.Contains(body, "TEE-BLK-M") {
		t.Fatalf("the second shop: %d; want its SKUs only, with a shop selector", w.Code)
	}
	for _, path := range []string{"/settings/costs?shop=9001", "/settings/costs/export.csv?shop=9001"} {
		if w := s.get(path, cookie); w.Code != http.StatusNotFound {
			t.Errorf("GET %s of another seller's shop: %d; want 404", path, w.Code)
		}
	}
	if w := s.upload(t, cookie, "9001", "c.csv", "seller_sku,sku_id,cost,currency,effective_from\n"); w.Code != http.StatusNotFound {
		t.Errorf("importing into another seller's shop: %d; want 404", w.Code)
	}
}

func TestEditingACostSavesItFromADateAndABadEditSaysWhatIsWrong(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := costSeller(t, s, "edit@example.com")
	form := url.Values{"shop": {"7001"}, "sku": {"1001"}, "effective_from": {"2026-03-01"}, "product_cost": {"3.00"},
		"inbound_freight": {"1.00"}, "packaging": {"0.20"}}

	if w := s.post("/settings/costs", form, cookie); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/settings/costs?done=saved&shop=7001" {
		t.Fatalf("saving a cost: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if action, d := s.lastAudit(t, userID); action != "costs.set" || d["sku"] != "1001" || d["effective_from"] != "2026-03-01" || d["changed"] != true {
		t.Errorf("audit: %s %v", action, d)
	}
	body := s.get("/settings/costs?shop=7001&done=saved", cookie).Body.String()
	for _, want := range []string{"Cost saved.", "$4.20", "since 2026-03-01", "$1.00", "2 without a cost"} {
		if !strings.Contains(body, want) {
			t.Errorf("after saving, the page lacks %q", want)
		}
	}
	if w := s.post("/settings/costs", form, cookie); !strings.Contains(w.Header().Get("Location"), "done=unchanged") {
		t.Errorf("saving the same cost again: to %q; want unchanged", w.Header().Get("Location"))
	}

	form.Set("product_cost", "-3")
	form.Set("effective_from", "2099-01-01")
	w := s.post("/settings/costs", form, cookie)
	body = w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "The cost was not saved.") ||
		!strings.Contains(body, "Product cost must not be negative.") || !strings.Contains(body, "more than a year ahead") ||
		!strings.Contains(body, `<details class="cost-edit" open>`) || !strings.Contains(body, `value="-3"`) || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("a bad edit: %d; want 422 with each error at its field, the form open and the typed values kept\n%s", w.Code, body)
	}
	if h := s.history(t, userID, "7001"); len(h) != 1 || h[0].Landed() != 420 {
		t.Fatalf("a refused edit changed the costs: %+v", h)
	}
	unforged := httptest.NewRequest(http.MethodPost, "/settings/costs", strings.NewReader(form.Encode()))
	unforged.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	unforged.AddCookie(cookie)
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, unforged)
	if rec.Code != http.StatusForbidden {
		t.Errorf("an edit without the CSRF token: %d; want 403", rec.Code)
	}
}

func TestTheFallbackIsSavedAuditedAndABadOneRefused(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := costSeller(t, s, "fallback@example.com")
	w := s.post("/settings/costs/fallback", url.Values{"shop": {"7001"}, "fallback_percent": {"35"}}, cookie)
	if w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Location"), "done=fallback") {
		t.Fatalf("saving the fallback: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if action, d := s.lastAudit(t, userID); action != "costs.fallback" || d["fallback_bps"] != 3500.0 || d["shop"] != "7001" {
		t.Errorf("audit: %s %v", action, d)
	}
	body := s.get("/settings/costs?shop=7001", cookie).Body.String()
	if !strings.Contains(body, `value="35"`) || !strings.Contains(body, "estimated at 35% of the price") {
		t.Errorf("the page does not show the 35%% fallback")
	}
	w = s.post("/settings/costs/fallback", url.Values{"shop": {"7001"}, "fallback_percent": {"150"}}, cookie)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "up to 100") || !strings.Contains(w.Body.String(), `value="150"`) {
		t.Fatalf("a 150%% fallback: %d; want 422 saying why, with the typed value", w.Code)
	}
}

func TestAnImportWithABadRowAppliesNothingAndTheFixedFileAppliesEverything(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := costSeller(t, s, "import@example.com")
	bad := "seller_sku,sku_id,cost,currency,effective_from\nTEE-BLK-M,1001,4.20,USD,2026-01-01\nMUG-01,1002,1.999,USD,2026-01-01\n"
	w := s.upload(t, cookie, "7001", "costs.csv", bad)
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "Nothing was applied") ||
		!strings.Contains(body, `<tr data-line="3"><td class="num">3</td><td><code>cost</code></td>`) || !strings.Contains(body, "more decimals than USD allows") {
		t.Fatalf("a file with a bad row: %d; want 422 listing line 3, column cost\n%s", w.Code, body)
	}
	if h := s.history(t, userID, "7001"); len(h) != 0 {
		t.Fatalf("a refused import applied %d rows", len(h))
	}

	good := strings.Replace(bad, "1.999", "1.99", 1)
	w = s.upload(t, cookie, "7001", "costs.csv", good)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/settings/costs?changed=2&done=imported&rows=2&shop=7001" {
		t.Fatalf("the fixed file: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if body := s.get(w.Header().Get("Location"), cookie).Body.String(); !strings.Contains(body, "2 costs applied (2 changed).") || !strings.Contains(body, "$1.99") {
		t.Errorf("after the import the page lacks the flash or the new cost")
	}
	if action, d := s.lastAudit(t, userID); action != "costs.import" || d["rows"] != 2.0 || d["changed"] != 2.0 {
		t.Errorf("audit: %s %v", action, d)
	}
	if w := s.upload(t, cookie, "7001", "costs.csv", good); !strings.Contains(w.Header().Get("Location"), "changed=0") {
		t.Errorf("the same file again: to %q; want 0 changed", w.Header().Get("Location"))
	}
	// Over the site's 1M form limit, under the import's own: the seller reads why, in words.
	if w := s.upload(t, cookie, "7001", "big.csv", strings.Repeat("x", costs.MaxImportBytes+1)); w.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(w.Body.String(), "larger than 2 MiB") {
		t.Errorf("a file over the limit: %d; want 422 saying it is larger than 2 MiB", w.Code)
	}
	if w := s.upload(t, cookie, "7001", "huge.csv", strings.Repeat("x", costs.MaxImportBytes+128<<10)); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body far over the limit: %d; want 413", w.Code)
	}
}

func TestTheExportIsACSVAttachmentWithFormulasNeutralised(t *testing.T) {
	s := newShopSite(t)
	cookie, _ := costSeller(t, s, "export@example.com")
	file := "sku_id,seller_sku,cost,currency,effective_from\n1003,,0.50,USD,2026-01-01\n1001,TEE-BLK-M,4.20,USD,2026-01-01\n"
	if w := s.upload(t, cookie, "7001", "c.csv", file); w.Code != http.StatusSeeOther {
		t.Fatalf("import: %d\n%s", w.Code, w.Body)
	}
	w := s.get("/settings/costs/export.csv?shop=7001", cookie)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		w.Header().Get("Content-Disposition") != `attachment; filename="costs-7001-2026-03-14.csv"` || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("export: %d, Content-Type %q, Content-Disposition %q, Cache-Control %q", w.Code, w.Header().Get("Content-Type"),
			w.Header().Get("Content-Disposition"), w.Header().Get("Cache-Control"))
	}
	recs, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("export is not 3 CSV records: %v\n%s", err, w.Body)
	}
	if got := recs[2][0]; got != `'=HYPERLINK("http://evil.example")` {
		t.Errorf("the formula-like seller SKU is exported as %q; want it behind an apostrophe", got)
	}
	if w := s.upload(t, cookie, "7001", "export.csv", w.Body.String()); !strings.Contains(w.Header().Get("Location"), "changed=0&done=imported&rows=2") {
		t.Errorf("importing the export: %d to %q; want 2 rows, 0 changed", w.Code, w.Header().Get("Location"))
	}
}

func TestTheSKUListPagesAndFiltersToSKUsWithoutACost(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := costSeller(t, s, "pages@example.com")
	var many []coststest.SKU
	for i := range 102 {
		many = append(many, coststest.SKU{ID: fmt.Sprintf("2%03d", i), SellerSKU: fmt.Sprintf("BULK-%03d", i), Listed: true})
	}
	coststest.Seed(t, s.env.Store, userID, "7001", "USD", many...)
	if w := s.post("/settings/costs", url.Values{"shop": {"7001"}, "sku": {"1001"}, "effective_from": {"2026-03-01"}, "product_cost": {"4"}}, cookie); w.Code != http.StatusSeeOther {
		t.Fatalf("saving a cost: %d", w.Code)
	}

	first := s.get("/settings/costs?shop=7001", cookie).Body.String()
	if n := strings.Count(first, "data-sku="); n != 100 || !strings.Contains(first, "1–100 of 105") || !strings.Contains(first, `href="/settings/costs?page=2&amp;shop=7001" rel="next"`) {
		t.Fatalf("page 1: %d rows; want 100 of 105 with a next link", n)
	}
	second := s.get("/settings/costs?shop=7001&page=2", cookie).Body.String()
	if n := strings.Count(second, "data-sku="); n != 5 || !strings.Contains(second, "101–105 of 105") || strings.Contains(second, `rel="next"`) {
		t.Fatalf("page 2: %d rows; want the last 5 and no next link", n)
	}
	missing := s.get("/settings/costs?shop=7001&missing=1&page=2", cookie).Body.String()
	if n := strings.Count(missing, "data-sku="); n != 4 || strings.Contains(missing, `data-sku="1001"`) || !strings.Contains(missing, "101–104 of 104") ||
		!strings.Contains(missing, `<input type="hidden" name="missing" value="1">`) || !strings.Contains(missing, `<input type="hidden" name="page" value="2">`) {
		t.Fatalf("SKUs without a cost, page 2: %d rows; want 4, without the costed T-shirt, and forms that come back here", n)
	}
}
