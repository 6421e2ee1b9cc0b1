package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/returns"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

var (
	returnRowPattern = regexp.MustCompile(`data-return="([^"]+)"`)
	countdownPattern = regexp.MustCompile(`class="countdown" data-deadline="(\d+)"`)
)

func TestTheReturnsPageListsOpenReturnsMostUrgentFirst(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "returns-page@example.com")
	var open int
	s.tenant(t, a.userID, func(ctx context.Context, tx *store.Tx) error {
		rows, err := tx.Q.OpenReturnDeadlines(ctx, a.userID)
		open = len(rows)
		return err
	})
	if open == 0 {
		t.Fatal("the sandbox's shops have no open return")
	}
	w := s.get("/returns", a.cookie)
	if w.Code != http.StatusOK {
		t.Fatalf("/returns: %d\n%s", w.Code, w.Body)
	}
	body := w.Body.String()
	if n := len(returnRowPattern.FindAllString(body, -1)); n != open {
		t.Errorf("/returns lists %d open returns; want %d", n, open)
	}
	var deadlines []int64
	for _, m := range countdownPattern.FindAllStringSubmatch(body, -1) {
		d, _ := strconv.ParseInt(m[1], 10, 64)
		deadlines = append(deadlines, d)
	}
	if !slices.IsSorted(deadlines) {
		t.Errorf("the open returns are not in deadline order: %v", deadlines)
	}
	for _, want := range []string{"Cost of approving", "Seller Center", "Recently closed", "Lost to auto-approvals"} {
		if !strings.Contains(body, want) {
			t.Errorf("/returns does not show %q", want)
		}
	}
	// A filter no return matches lists none, and offers to clear it.
	w = s.get("/returns?"+url.Values{"sku": {"no-such-sku"}}.Encode(), a.cookie)
	if n := len(returnRowPattern.FindAllString(w.Body.String(), -1)); n != 0 || !strings.Contains(w.Body.String(), "Clear filters") {
		t.Errorf("filtered by an unknown SKU, /returns lists %d returns", n)
	}
	// Another seller sees none of them.
	other, _ := s.seller(t, "returns-other@example.com")
	if n := len(returnRowPattern.FindAllString(s.get("/returns", other).Body.String(), -1)); n != 0 {
		t.Errorf("another seller's /returns lists %d returns", n)
	}
}

// Each open return's goods are costed as the profit model costed them in its order: per unit of each SKU the return
// names, whether the order keeps a row per SKU or its own row stands for its sole SKU.
func TestEachOpenReturnCostsItsGoodsAsTheModelCostedTheirOrder(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "returns-costs@example.com")
	for _, shop := range []string{a.us.ID, a.gb.ID} { // every SKU costed, at 35% of its price
		if w := s.post("/settings/costs/fallback", url.Values{"shop": {shop}, "fallback_percent": {"35"}}, a.cookie); w.Code != http.StatusSeeOther {
			t.Fatalf("saving shop %s's fallback: %d", shop, w.Code)
		}
	}
	var checked, sole, costed int
	s.tenant(t, a.userID, func(ctx context.Context, tx *store.Tx) error {
		rows, err := tx.Q.ReturnViewsOpen(ctx, tenantdb.ReturnViewsOpenParams{UserID: a.userID,
			BuyerSince: s.env.Clock.Now().Add(-90 * 24 * time.Hour), ShopIds: []string{a.us.ID, a.gb.ID}, MaxRows: 1000})
		if err != nil {
			return err
		}
		for _, r := range rows {
			res, err := rollup.Compute(ctx, tx, r.ShopID, r.OrderID)
			if err != nil {
				return fmt.Errorf("return %s, order %s: %w", r.ReturnID, r.OrderID, err)
			}
			perUnit := map[string]int64{}
			for _, k := range res.BySKU() {
				if k.Units > 0 {
					perUnit[k.SkuID] = k.CostOfGoods.Minor / k.Units
				}
			}
			skus, err := tx.PgxTx().Query(ctx, `SELECT sku_id FROM return_lines WHERE user_id = $1 AND shop_id = $2 AND return_id = $3`,
				a.userID, r.ShopID, r.ReturnID)
			if err != nil {
				return err
			}
			lines, err := pgx.CollectRows(skus, pgx.RowTo[string])
			if err != nil {
				return err
			}
			var want int64
			for _, sku := range lines {
				want += perUnit[sku]
			}
			if r.UnitCosts != want {
				t.Errorf("return %s (order %s, SKUs %v): goods cost %d; the model costed them %d", r.ReturnID, r.OrderID, lines, r.UnitCosts, want)
			}
			var soleSKU string
			if err := tx.PgxTx().QueryRow(ctx, `SELECT sole_sku_id FROM order_profits WHERE user_id = $1 AND shop_id = $2
				AND order_id = $3 AND sku_id = ''`, a.userID, r.ShopID, r.OrderID).Scan(&soleSKU); err != nil {
				return err
			}
			checked++
			if soleSKU != "" {
				sole++
			}
			if want != 0 {
				costed++
			}
		}
		return nil
	})
	if checked == 0 || sole == 0 || sole == checked || costed == 0 {
		t.Errorf("%d open returns, %d of orders whose row stands for their SKU, %d with goods costed: not put to the test",
			checked, sole, costed)
	}
}

var buyerReturnsPattern = regexp.MustCompile(`data-return="([^"]+)"[^>]*? data-buyer-returns="(\d+)"`)

// Each open return shows how many returns its buyer made in 90 days, as the sandbox counts them, and the sandbox's
// serial returner (three returns, the latest still open) is flagged.
func TestEachOpenReturnCountsItsBuyersReturnsAndFlagsASerialReturner(t *testing.T) {
	s := newShopSite(t)
	a := s.syncedSeller(t, "returns-buyers@example.com")
	sb := s.sandboxOf(t, a)
	want := map[string]int{}
	for _, sh := range []string{a.us.ID, a.gb.ID} {
		for id, n := range sb.BuyerReturns(sh, s.env.Clock.Now().Add(-90*24*time.Hour)) {
			want[id] = n
		}
	}
	body := s.get("/returns", a.cookie).Body.String()
	rows := buyerReturnsPattern.FindAllStringSubmatch(body, -1)
	if len(rows) == 0 || len(rows) != len(returnRowPattern.FindAllString(body, -1)) {
		t.Fatalf("%d of the open returns show their buyer's returns; want all of them", len(rows))
	}
	serial := 0
	for _, m := range rows {
		if got, _ := strconv.Atoi(m[2]); got != want[m[1]] {
			t.Errorf("return %s: the buyer's returns read %d; the sandbox counts %d", m[1], got, want[m[1]])
		} else if got >= 3 {
			serial++
		}
	}
	if flags := strings.Count(body, ">Serial returner</span>"); serial == 0 || flags != serial {
		t.Errorf("%d open returns of buyers with 3 or more returns, %d flagged; want at least one, each flagged", serial, flags)
	}
}

func TestAlertSettingsAreSavedAuditedAndReplanned(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := s.seller(t, "alert-settings@example.com")
	if w := s.get("/settings/alerts", cookie); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `value="24, 12, 4, 1"`) {
		t.Fatalf("/settings/alerts: %d; want the default ladder\n%s", w.Code, w.Body)
	}
	bad := url.Values{"steps": {"24, soon"}, "email": {"on"}, "quiet": {"on"}, "quiet_from": {"22:00"}, "quiet_to": {"22:00"}}
	if w := s.post("/settings/alerts", bad, cookie); w.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(w.Body.String(), "not a number of hours") || !strings.Contains(w.Body.String(), "different times") {
		t.Errorf("bad settings: %d\n%s", w.Code, w.Body)
	}
	good := url.Values{"steps": {"48, 6, 0.5"}, "email": {"on"}, "digest": {"on"}, "quiet": {"on"}, "quiet_from": {"21:30"}, "quiet_to": {"06:00"}}
	if w := s.post("/settings/alerts", good, cookie); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/settings/alerts?done=saved" {
		t.Fatalf("saving: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		st, err := returns.LoadSettings(ctx, tx)
		want := []time.Duration{48 * time.Hour, 6 * time.Hour, 30 * time.Minute}
		if !slices.Equal(st.Steps, want) || st.QuietStart != 21*time.Hour+30*time.Minute || st.QuietEnd != 6*time.Hour || !st.Digest || !st.Email {
			t.Errorf("stored %+v", st)
		}
		return err
	})
	if action, detail := s.lastAudit(t, userID); action != "alerts.settings" || detail["steps"] != "48, 6, 0.5" {
		t.Errorf("audit %s %v", action, detail)
	}
	if w := s.post("/settings/alerts", good); w.Header().Get("Location") == "/settings/alerts?done=saved" {
		t.Error("settings saved without a session")
	}
}

func TestTheOneClickLinkTurnsAlertEmailsOffWithoutASignIn(t *testing.T) {
	s := newShopSite(t)
	_, userID := s.seller(t, "one-click@example.com")
	var link string
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		link, err = returns.NewURLs("https://app.example.com").Settings(ctx, tx, s.env.Clock.Now())
		return err
	})
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("t")
	if w := s.get(u.RequestURI()); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Turn alert emails off") {
		t.Fatalf("the one-click page: %d\n%s", w.Code, w.Body)
	}
	if w := s.post(returns.SettingsPath, url.Values{"t": {token}}); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Alert emails are off") {
		t.Fatalf("turning emails off: %d\n%s", w.Code, w.Body)
	}
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		st, err := returns.LoadSettings(ctx, tx)
		if st.Email {
			t.Error("alert emails are still on")
		}
		return err
	})
	// One character in the middle, where every bit counts (the last one may carry padding bits), made different:
	// replacing the last two with "AA" left a token that happened to end in "AA" as it was (CI met one).
	mid, other := len(token)/2, byte('A')
	if token[mid] == other {
		other = 'B'
	}
	tampered := token[:mid] + string(other) + token[mid+1:]
	if w := s.post(returns.SettingsPath, url.Values{"t": {tampered}}); w.Code != http.StatusNotFound {
		t.Errorf("a tampered link: %d", w.Code)
	}
	s.env.Clock.Advance(returns.SettingsLinkTTL + time.Minute)
	if w := s.get(u.RequestURI()); w.Code != http.StatusGone {
		t.Errorf("an expired link: %d", w.Code)
	}
}
