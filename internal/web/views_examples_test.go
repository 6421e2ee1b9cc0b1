package web

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/mail"
)

// filledViews fills every branch a page's template has (errors, flashes, banners, lists), so a template that only
// fails on data fails here rather than for a seller.
func filledViews() map[string][]any {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	errs := formErrors{Form: "Something about the form.", Fields: map[string]string{
		"email": "Bad email.", "password": "Bad password.", "current_password": "Wrong.", "new_password": "Weak.", "new_email": "Bad.",
	}}
	return map[string][]any{
		"landing":     {landingView{}},
		"error":       {errorView{Status: 404, Heading: "Page not found", Message: "Nothing here."}},
		"devmail":     {devMailView{Messages: []mail.DevMessage{{ID: "dev-1", At: at, Message: mail.Message{To: "a@b.co", Subject: "Hi", Text: "Body"}}}}},
		"signup":      {signupView{Email: "a@b.co", Errors: errs}},
		"login":       {loginView{Email: "a@b.co", Next: "/settings/shops", Errors: errs}},
		"check_email": {checkEmailView{Email: "a@b.co", Purpose: "verify"}, checkEmailView{Email: "a@b.co", Purpose: "reset"}},
		"forgot":      {forgotView{Email: "a@b.co", Errors: errs}},
		"reset":       {resetView{UserID: "7", Token: "tok", Errors: errs}},
		"notice": {noticeView{Heading: "H", Message: "M", LinkHref: "/x", LinkText: "Go"},
			noticeView{Heading: "H", Form: noticeForm{Action: "/verify-email", Button: "Confirm", Fields: map[string]string{"u": "7", "t": "tok"}}}},
		"dashboard": append(dashboardExamples(at), dashboardView{Email: "a@b.co", Verified: false}, dashboardView{Email: "a@b.co", Verified: true, Shops: []dashboardShop{
			{ShopID: "1", Name: "Glow US", Region: "US", DataAsOf: &at, Orders: "1,204", OrdersTotal: "$31,122.50", Returns: "17", Statements: "12"},
			{ShopID: "2", Name: "Glow UK", Region: "GB", Revoked: true, DataAsOf: &at, Orders: "3", Returns: "0", Statements: "0"},
			{ShopID: "3", Name: "Glow FR", Region: "FR", Revoked: true, RevokedAt: &at, Orders: "0", Returns: "0", Statements: "0"},
			{ShopID: "4", Name: "Glow XX", Region: "XX", Revoked: true, Orders: "0", Returns: "0", Statements: "0"}}}),
		"preferences": preferencesExamples(),
		"orders":      ordersExamples(),
		"order":       orderExamples(),
		"skus":        skusExamples(),
		"security": {securityView{Email: "a@b.co", Verified: true, RecentAuth: false, Flash: "Done.", Errors: errs, ChangeEmail: "c@d.co",
			Sessions: []sessionItem{{ID: "ab", Current: true, UserAgent: "Firefox on Linux", IPHint: "192.0.2.0/24", CreatedAt: at, LastSeen: at},
				{ID: "cd", UserAgent: "", CreatedAt: at, LastSeen: at}}}},
		"reauth": {reauthView{Next: "/settings/security", Errors: formErrors{Fields: map[string]string{"password": "Wrong."}}}},
		"shops": {shopsView{Flash: "Connected.", Errors: errs, CanSync: true, Running: true, Shops: []shopRow{
			{ShopID: "1", Name: "Glow US", Region: "US", GrantID: 1, ConnectedAt: at, ReconnectBy: &at, MissingScopes: []string{"seller.finance.info"},
				Sync: shopSync{ShopID: "1", Running: true, Summary: "Syncing now.", Resources: []resourceSync{
					{Resource: "orders", Label: "Orders", State: "running", Running: true, StatusText: "Syncing", PagesDone: 3, PagesExpected: 10,
						ProgressKnown: true, ProgressMax: 10, ProgressText: "3 of 10 pages", Records: 150, Written: 140, Malformed: 1, RowsText: "150 read · 140 written", MalformedText: "1",
						LastSuccessAt: &at, LastSuccessAgo: "5 minutes ago", LastSuccessText: "14 Mar 2026 09:00 UTC"},
					{Resource: "returns", Label: "Returns", State: "running", Running: true, StatusText: "Syncing", PagesDone: 2, PagesExpected: 2, ProgressMax: 2, ProgressText: "2 pages so far",
						RowsText: "100 read · 0 written", MalformedText: "0", LastSuccessAgo: "Never"},
					{Resource: "products", Label: "Products", State: "failed", StatusText: "Failed", Error: "rate_limited: TikTok asked us to slow down",
						RowsText: "0 read · 0 written", MalformedText: "0", LastSuccessAgo: "Never"},
					{Resource: "statements", Label: "Statements", State: "waiting", StatusText: "Waiting for the first sync", RowsText: "–", MalformedText: "–", LastSuccessAgo: "Never"}}}},
			{ShopID: "2", Name: "Glow UK", Region: "GB", GrantID: 2, Revoked: true, ConnectedAt: at, RevokedAt: &at, DataAsOf: &at},
			{ShopID: "3", Name: "Glow FR", Region: "FR", GrantID: 3, Revoked: true, ConnectedAt: at, RevokedAt: &at},
			{ShopID: "4", Name: "Glow XX", Region: "XX", GrantID: 4, Revoked: true, ConnectedAt: at}}}},
		"costs": {costsView{}, costsView{ShopID: "1", ShopName: "Glow US", Shops: []costShop{{ShopID: "1", Name: "Glow US", Selected: true}}},
			costsView{ShopID: "1", ShopName: "Glow US", Currency: "USD", OnlyMissing: true, SKUCount: "3", AllURL: "/settings/costs?shop=1"},
			costsView{ShopID: "1", ShopName: "Glow US", Currency: "USD", SKUCount: "3", MissingURL: "/settings/costs?shop=1&missing=1"},
			costsView{ShopID: "1", ShopName: "Glow US", Currency: "USD", Today: "2026-03-14", SKUCount: "1,204", Page: 2, OnlyMissing: true, Missing: 1, MissingText: "1",
				RangeText: "101–200 of 1,204", PrevURL: "/settings/costs?shop=1", NextURL: "/settings/costs?shop=1&page=3",
				AllURL: "/settings/costs?shop=1", MissingURL: "/settings/costs?shop=1&missing=1", ExportURL: "/settings/costs/export.csv?shop=1",
				Fallback: "35", FallbackSet: true, MaxFileMiB: 2, MaxRowsText: "20,000", Flash: "Cost saved.",
				Errors: formErrors{Form: "Nothing was applied.", Fields: map[string]string{"fallback_percent": "Bad.", "file": "Choose a file."}},
				Shops:  []costShop{{ShopID: "1", Name: "Glow US", Selected: true}, {ShopID: "2", Name: "Glow UK"}},
				Import: &importView{FileName: "costs.csv", More: 3, Problems: []importProblem{{Line: "File", Message: "Too large."}, {Line: "3", Column: "cost", Message: "Negative."}}},
				SKUs: []costRow{
					{Index: 0, SKUID: "1001", SellerSKU: "TEE-BLK-M", Title: "Black tee", UnitsSold: "1,204", HasCost: true, Landed: "$4.20", Since: "2026-01-01",
						Product: "$3.00", Freight: "$1.00", Packaging: "$0.20", History: []costHistoryRow{{From: "2026-01-01", Landed: "$4.20", Current: true},
							{From: "2026-12-01", Landed: "$4.50", Scheduled: true}, {From: "2025-01-01", Landed: "$4.00"}},
						Edit: newCostEdit(0, "USD", map[string]string{"effective_from": "2026-03-14", "product_cost": "3.00"}, nil)},
					{Index: 1, SKUID: "1002", UnitsSold: "0", History: []costHistoryRow{{From: "2026-12-01", Landed: "$1.00", Scheduled: true}},
						Edit: newCostEdit(1, "USD", map[string]string{"product_cost": "-1"}, map[string]string{"sku": "Unknown.", "product_cost": "Negative.", "effective_from": "Bad date."})}}}},
	}
}

func TestEveryPageRendersWithEveryBranchFilled(t *testing.T) {
	s := newTestServer(t, nil)
	examples := filledViews()
	maps.Copy(examples, cashflowExamples())
	maps.Copy(examples, returnsExamples())
	for name := range pageViews {
		views, ok := examples[name]
		if !ok {
			t.Errorf("page %s has no filled example: add one to filledViews", name)
			continue
		}
		for i, v := range views {
			buf, err := s.views.render(name, Page{Title: "T", Nonce: "n", CSRFToken: "c", RequestID: "r", SignedIn: true, Data: v})
			if err != nil {
				t.Errorf("page %s, example %d: %v", name, i, err)
				continue
			}
			if strings.Contains(buf.String(), "<no value>") {
				t.Errorf("page %s, example %d renders <no value>", name, i)
			}
			release(buf)
		}
	}
}
