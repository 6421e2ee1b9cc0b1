package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/accounttest"
	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/web"
)

// shopSite serves the account pages and Settings -> Shops, with a Sync now that records what it was asked.
type shopSite struct {
	*site
	st    *accounttest.Stack
	syncs *recordedSyncs
}

// recordedSyncs is a web.SyncRequester that only records its calls.
type recordedSyncs struct {
	mu    sync.Mutex
	calls []string // "userID/shopID"
}

func (r *recordedSyncs) SyncNow(_ context.Context, userID int64, shopID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("%d/%s", userID, shopID))
	return nil
}

func (r *recordedSyncs) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

func newShopSite(t testing.TB) *shopSite {
	t.Helper()
	st := accounttest.New(t)
	log := slog.New(slog.DiscardHandler)
	syncs := &recordedSyncs{}
	srv, err := web.New(web.Options{Log: log, PublicURL: accounttest.PublicURL, Accounts: st.Accounts, Sessions: st.Sessions,
		Store: st.Env.Store, Clock: st.Env.Clock, Connect: connect.New(st.Env.Store, nil, st.Env.Clock, log),
		Syncs: syncs, Limiter: st.Limiter})
	if err != nil {
		t.Fatal(err)
	}
	return &shopSite{site: &site{srv: srv, env: st.Env}, st: st, syncs: syncs}
}

// seller signs a new seller up and in, and returns their session cookie and user id.
func (s *shopSite) seller(t testing.TB, email string) (*http.Cookie, int64) {
	t.Helper()
	ctx := context.Background()
	const pw = "a long enough passphrase"
	if err := s.st.Accounts.SignUp(ctx, email, pw, account.Client{IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	cookie, err := s.st.Accounts.SignIn(ctx, email, pw, account.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookie)
	sess, _, err := s.st.Sessions.Load(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	return cookie, sess.UserID
}

// tenant runs fn in the seller's tenant transaction.
func (s *shopSite) tenant(t testing.TB, userID int64, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.env.Store.InTenant(ctx, userID, func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// connectShop stores a grant covering one shop, as the OAuth callback would, and returns the grant's id.
func (s *shopSite) connectShop(t testing.TB, userID int64, shopID, name, region string) int64 {
	t.Helper()
	var grantID int64
	now := s.env.Clock.Now()
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		grantID, err = shops.Save(ctx, tx, shops.Grant{OpenID: "open-" + shopID, SellerName: name, SellerBaseRegion: region, Scopes: tiktok.RequiredScopes(),
			Tokens: shops.Tokens{Access: "access", AccessExpiresAt: now.Add(time.Hour), Refresh: "refresh", RefreshExpiresAt: now.Add(30 * 24 * time.Hour)}},
			[]shops.Shop{{ID: shopID, Name: name, Region: region, Cipher: "cipher-" + shopID}})
		return err
	})
	return grantID
}

// startRun starts a sync run expecting pages (0: unknown) and commits done of them, 50 records each.
func (s *shopSite) startRun(t *testing.T, userID int64, shopID, resource string, expected, done int) int64 {
	t.Helper()
	var id int64
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		id, err = tx.Q.StartSyncRun(ctx, tenantdb.StartSyncRunParams{UserID: userID, ShopID: shopID, Resource: resource, Backfill: true, Now: tx.Now()})
		if err != nil {
			return err
		}
		if expected > 0 {
			if err := tx.Q.ExpectSyncPages(ctx, tenantdb.ExpectSyncPagesParams{Expected: int32(expected), Now: tx.Now(), UserID: userID, ID: id}); err != nil {
				return err
			}
		}
		return nil
	})
	s.recordPages(t, userID, id, done)
	return id
}

func (s *shopSite) recordPages(t *testing.T, userID, runID int64, n int) {
	t.Helper()
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		for range n {
			err := tx.Q.RecordSyncPage(ctx, tenantdb.RecordSyncPageParams{Records: 50, Written: 40, Malformed: 1, Now: tx.Now(), UserID: userID, ID: runID})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// finishRun ends a run as succeeded and records the complete read on the resource's cursor.
func (s *shopSite) finishRun(t *testing.T, userID, runID int64, shopID, resource string) {
	t.Helper()
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		err := tx.Q.AdvanceSyncCursor(ctx, tenantdb.AdvanceSyncCursorParams{UserID: userID, ShopID: shopID, Resource: resource, SyncedTo: tx.Now(), Now: tx.Now(), Done: true})
		if err != nil {
			return err
		}
		return tx.Q.FinishSyncRun(ctx, tenantdb.FinishSyncRunParams{Status: "succeeded", Now: tx.Now(), UserID: userID, ID: runID})
	})
}

// syncStatus is the JSON of /settings/shops/sync-status, as the page's script reads it.
type syncStatus struct {
	Running bool `json:"running"`
	Shops   []struct {
		ShopID     string `json:"shop_id"`
		Running    bool   `json:"running"`
		Summary    string `json:"summary"`
		ProfitNote string `json:"profit_note"`
		Resources  []struct {
			Resource        string     `json:"resource"`
			Label           string     `json:"label"`
			State           string     `json:"state"`
			Running         bool       `json:"running"`
			PagesDone       int        `json:"pages_done"`
			PagesExpected   int        `json:"pages_expected"`
			ProgressKnown   bool       `json:"progress_known"`
			Records         int        `json:"records"`
			Written         int        `json:"written"`
			Malformed       int        `json:"malformed"`
			Error           string     `json:"error"`
			LastSuccessAt   *time.Time `json:"last_success_at"`
			LastSuccessText string     `json:"last_success_text"`
		} `json:"resources"`
	} `json:"shops"`
}

func (s *shopSite) status(t *testing.T, cookie *http.Cookie) syncStatus {
	t.Helper()
	w := s.get("/settings/shops/sync-status", cookie)
	if w.Code != http.StatusOK {
		t.Fatalf("sync status: %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("sync status Content-Type = %q; want JSON", ct)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("sync status Cache-Control = %q; want no-store", cc)
	}
	var st syncStatus
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil {
		t.Fatalf("sync status is not JSON: %v\n%s", err, w.Body)
	}
	return st
}

func TestTheSyncStatusFollowsARunningRunPageByPage(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := s.seller(t, "progress@example.com")
	s.connectShop(t, userID, "7001", "Glow US", "US")
	run := s.startRun(t, userID, "7001", syncer.ResourceOrders, 10, 3)
	s.startRun(t, userID, "7001", syncer.ResourceReturns, 0, 0)

	st := s.status(t, cookie)
	if !st.Running || len(st.Shops) != 1 || st.Shops[0].ShopID != "7001" || !st.Shops[0].Running {
		t.Fatalf("status = %+v; want shop 7001, running", st)
	}
	var order []string
	for _, r := range st.Shops[0].Resources {
		order = append(order, r.Resource)
		if r.Label == "" || r.Label == r.Resource {
			t.Errorf("resource %s has no label for sellers: %q", r.Resource, r.Label)
		}
	}
	if !slices.Equal(order, syncer.Resources()) {
		t.Fatalf("resources %v; want every resource in the syncer's order %v", order, syncer.Resources())
	}
	orders, returns, products := st.Shops[0].Resources[0], st.Shops[0].Resources[1], st.Shops[0].Resources[2]
	if orders.State != "running" || !orders.Running || orders.PagesDone != 3 || orders.PagesExpected != 10 || !orders.ProgressKnown ||
		orders.Records != 150 || orders.Written != 120 || orders.Malformed != 3 {
		t.Errorf("orders = %+v; want running, 3 of 10 pages, 150 records, 120 written, 3 kept aside", orders)
	}
	if returns.State != "running" || returns.PagesDone != 0 || returns.PagesExpected != 0 || returns.ProgressKnown {
		t.Errorf("returns = %+v; want running with an unknown page count", returns)
	}
	if products.State != "waiting" || products.LastSuccessAt != nil {
		t.Errorf("products = %+v; want waiting for the first sync", products)
	}

	page := s.get("/settings/shops", cookie).Body.String()
	for _, want := range []string{`<progress max="10" value="3"`, `3 of 10 pages`, `data-sync-running="true"`, `Waiting for the first sync`} {
		if !strings.Contains(page, want) {
			t.Errorf("Settings -> Shops lacks %q", want)
		}
	}
	if !regexp.MustCompile(`<progress max="1" aria-labelledby="sync-7001-returns shop-7001"`).MatchString(page) {
		t.Error("the returns run, of unknown length, has no indeterminate progress bar (one without a value)")
	}
	if !regexp.MustCompile(`<script src="/static/sync\.[0-9a-f]{8}\.js" nonce="[^"]+" defer>`).MatchString(page) {
		t.Error("Settings -> Shops does not load its script from a content-hashed URL with the CSP nonce")
	}

	s.recordPages(t, userID, run, 1)
	if got := s.status(t, cookie).Shops[0].Resources[0].PagesDone; got != 4 {
		t.Fatalf("after one more page the status says %d pages done; want 4", got)
	}

	s.env.Clock.Advance(time.Minute)
	finishedAt := s.env.Clock.Now()
	s.finishRun(t, userID, run, "7001", syncer.ResourceOrders)
	orders = s.status(t, cookie).Shops[0].Resources[0]
	if orders.State != "succeeded" || orders.Running || orders.LastSuccessAt == nil || !orders.LastSuccessAt.Equal(finishedAt) ||
		orders.LastSuccessText != finishedAt.UTC().Format("2 Jan 2006 15:04 MST") {
		t.Fatalf("finished orders = %+v; want succeeded at %v", orders, finishedAt)
	}
}

// Runs that have ended with orders still on the shop's profit queue are not done for the seller: the status stays
// running, and says the profit is being worked out, until the queue is empty.
func TestTheSyncStatusFollowsTheProfitUntilItIsIn(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := s.seller(t, "catching-up@example.com")
	s.connectShop(t, userID, "7001", "Glow US", "US")
	for _, res := range syncer.Resources() {
		s.finishRun(t, userID, s.startRun(t, userID, "7001", res, 1, 1), "7001", res)
	}
	if st := s.status(t, cookie); st.Running || st.Shops[0].Summary != "Everything is synced." {
		t.Fatalf("status = running %v, %q; want everything synced", st.Running, st.Shops[0].Summary)
	}
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error { // an orders page, then a settlement page
		if err := rollup.Queue(ctx, tx, "7001", []string{"o-1", "o-2", "o-1"}); err != nil {
			return err
		}
		return rollup.Queue(ctx, tx, "7001", []string{"o-1"})
	})
	st := s.status(t, cookie)
	if want := "Synced. Working out the profit of what changed (3 order updates to go)."; !st.Running || !st.Shops[0].Running || st.Shops[0].Summary != want {
		t.Fatalf("status with 3 order ids queued = running %v, %q; want running, %q", st.Running, st.Shops[0].Summary, want)
	}
	if page := s.get("/settings/shops", cookie).Body.String(); !strings.Contains(page, `data-sync-running="true"`) {
		t.Error("Settings -> Shops does not keep following the shop while its profit is worked out")
	}
	if _, _, err := rollup.CatchUp(context.Background(), s.env.Store, userID, "7001"); err != nil {
		t.Fatal(err)
	}
	if st := s.status(t, cookie); st.Running || st.Shops[0].Summary != "Everything is synced." {
		t.Fatalf("status after the catch-up = running %v, %q; want everything synced", st.Running, st.Shops[0].Summary)
	}
}

// Orders the profit model refused are set aside (rollup: refusal); Settings -> Shops says how many, and the latest
// with its reason, so the seller knows which figures are missing and why.
func TestTheShopsPageNamesTheOrdersWhoseProfitCouldNotBeWorkedOut(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := s.seller(t, "refused@example.com")
	s.connectShop(t, userID, "7001", "Glow US", "US")
	page := s.get("/settings/shops", cookie).Body.String()
	if st := s.status(t, cookie); st.Shops[0].ProfitNote != "" || !strings.Contains(page, `data-shop-show="profit_note" hidden>`) {
		t.Fatalf("profit note %q with no order set aside; want none, hidden", st.Shops[0].ProfitNote)
	}
	refuse := func(orderID, reason string) {
		s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
			return tx.Q.RecordProfitRefusals(ctx, tenantdb.RecordProfitRefusalsParams{UserID: userID, ShopID: "7001",
				OrderIds: []string{orderID}, Reasons: []string{reason}, Now: tx.Now()})
		})
		s.env.Clock.Advance(time.Minute)
	}
	refuse("576001", "more than 1000 lines, returns or transactions")
	refuse("576002", `line 577002 is in "EUR", the order in USD: mixed currencies`)
	want := `The profit of 2 orders could not be worked out, so it is left out of your figures until its data changes. ` +
		`Latest: order 576002: line 577002 is in "EUR", the order in USD: mixed currencies.`
	if got := s.status(t, cookie).Shops[0].ProfitNote; got != want {
		t.Fatalf("profit note %q; want %q", got, want)
	}
	page = s.get("/settings/shops", cookie).Body.String()
	if !strings.Contains(page, html.EscapeString(want)) || strings.Contains(page, `data-shop-show="profit_note" hidden>`) {
		t.Errorf("Settings -> Shops does not show the note %q", want)
	}
}

func TestAFailedRunShowsItsErrorAndTheLastSuccess(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := s.seller(t, "failed@example.com")
	s.connectShop(t, userID, "7001", "Glow US", "US")
	first := s.startRun(t, userID, "7001", syncer.ResourceProducts, 1, 1)
	s.finishRun(t, userID, first, "7001", syncer.ResourceProducts)
	s.env.Clock.Advance(2 * time.Hour)
	second := s.startRun(t, userID, "7001", syncer.ResourceProducts, 0, 0)
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		return tx.Q.FinishSyncRun(ctx, tenantdb.FinishSyncRunParams{Status: "failed", Error: "rate_limited: TikTok asked us to slow down",
			Now: tx.Now(), UserID: userID, ID: second})
	})
	products := s.status(t, cookie).Shops[0].Resources[2]
	if products.State != "failed" || products.Error != "rate_limited: TikTok asked us to slow down" || products.LastSuccessAt == nil {
		t.Fatalf("products = %+v; want failed, with its error and the earlier success", products)
	}
	page := s.get("/settings/shops", cookie).Body.String()
	for _, want := range []string{"rate_limited: TikTok asked us to slow down", "2 hours ago"} {
		if !strings.Contains(page, want) {
			t.Errorf("Settings -> Shops lacks %q", want)
		}
	}
}

func TestASellerNeverSeesAnotherSellersShopsOrSyncs(t *testing.T) {
	s := newShopSite(t)
	cookieA, userA := s.seller(t, "a@example.com")
	cookieB, userB := s.seller(t, "b@example.com")
	s.connectShop(t, userA, "7001", "Alpha Glow", "US")
	s.startRun(t, userA, "7001", syncer.ResourceOrders, 10, 3)
	s.connectShop(t, userB, "8001", "Beta Brew", "GB")

	if st := s.status(t, cookieA); len(st.Shops) != 1 || st.Shops[0].ShopID != "7001" {
		t.Fatalf("seller A's status = %+v; want their one shop", st)
	}
	stB := s.status(t, cookieB)
	if stB.Running || len(stB.Shops) != 1 || stB.Shops[0].ShopID != "8001" {
		t.Fatalf("seller B's status = %+v; want only their own shop, nothing running", stB)
	}
	for _, r := range stB.Shops[0].Resources {
		if r.State != "waiting" {
			t.Errorf("seller B's %s shows %q; want waiting (seller A's run leaked)", r.Resource, r.State)
		}
	}
	for path, w := range map[string]*httptest.ResponseRecorder{
		"/settings/shops/sync-status": s.get("/settings/shops/sync-status", cookieB),
		"/settings/shops":             s.get("/settings/shops", cookieB),
		"/dashboard":                  s.get("/dashboard", cookieB),
	} {
		if body := w.Body.String(); strings.Contains(body, "7001") || strings.Contains(body, "Alpha Glow") {
			t.Errorf("seller B's %s shows seller A's shop", path)
		}
	}
	if w := s.post("/settings/shops/sync", url.Values{"shop": {"7001"}}, cookieB); w.Code != http.StatusNotFound {
		t.Errorf("seller B asking to sync seller A's shop: %d; want 404", w.Code)
	}
	if calls := s.syncs.Calls(); len(calls) != 0 {
		t.Errorf("syncs were requested for another seller's shop: %v", calls)
	}
	if w := s.get("/settings/shops/sync-status"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Errorf("sync status signed out: %d to %q; want the sign-in page", w.Code, w.Header().Get("Location"))
	}
}

func TestSyncNowAsksOnceAndAgainOnlyAfterAMinute(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := s.seller(t, "sync@example.com")
	s.connectShop(t, userID, "7001", "Glow US", "US")
	s.connectShop(t, userID, "7002", "Glow CA", "US")
	if page := s.get("/settings/shops", cookie).Body.String(); strings.Count(page, `action="/settings/shops/sync"`) != 2 {
		t.Fatal("Settings -> Shops does not offer Sync now for each connected shop")
	}

	w := s.post("/settings/shops/sync", url.Values{"shop": {"7001"}}, cookie)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/settings/shops?done=sync" {
		t.Fatalf("Sync now: %d to %q", w.Code, w.Header().Get("Location"))
	}
	want := []string{strconv.FormatInt(userID, 10) + "/7001"}
	if calls := s.syncs.Calls(); !slices.Equal(calls, want) {
		t.Fatalf("sync requests %v; want %v", calls, want)
	}
	if page := s.get("/settings/shops?done=sync", cookie).Body.String(); !strings.Contains(page, "Sync started") {
		t.Error("after Sync now the page does not say the sync started")
	}

	s.env.Clock.Advance(20 * time.Second)
	w = s.post("/settings/shops/sync", url.Values{"shop": {"7001"}}, cookie)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("a second Sync now within a minute: %d; want 429", w.Code)
	}
	if secs, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || secs < 39 || secs > 40 {
		t.Errorf("Retry-After = %q; want the 40 seconds left of the minute", w.Header().Get("Retry-After"))
	}
	if !strings.Contains(w.Body.String(), "again in 40 seconds") {
		t.Errorf("the refusal does not say when Sync now can be pressed again:\n%s", w.Body)
	}
	if calls := s.syncs.Calls(); len(calls) != 1 {
		t.Fatalf("a refused Sync now still asked for a sync: %v", calls)
	}

	if w := s.post("/settings/shops/sync", url.Values{"shop": {"7002"}}, cookie); w.Code != http.StatusSeeOther {
		t.Errorf("Sync now of another shop within the minute: %d; want it allowed (the limit is per shop)", w.Code)
	}
	s.env.Clock.Advance(41 * time.Second)
	if w := s.post("/settings/shops/sync", url.Values{"shop": {"7001"}}, cookie); w.Code != http.StatusSeeOther {
		t.Errorf("Sync now a minute later: %d; want it allowed", w.Code)
	}
	if calls := s.syncs.Calls(); len(calls) != 3 {
		t.Fatalf("sync requests %v; want 3", calls)
	}
	if w := s.post("/settings/shops/sync", url.Values{"shop": {"7001"}}); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Errorf("Sync now signed out: %d to %q; want the sign-in page", w.Code, w.Header().Get("Location"))
	}
}

func TestARevokedShopCannotSyncAndItsFrozenDataSaysWhenItIsFrom(t *testing.T) {
	s := newShopSite(t)
	cookie, userID := s.seller(t, "revoked@example.com")
	grant := s.connectShop(t, userID, "7001", "Glow US", "US")
	s.connectShop(t, userID, "7002", "Glow CA", "US")
	run := s.startRun(t, userID, "7001", syncer.ResourceOrders, 2, 2)
	asOf := s.env.Clock.Now()
	s.finishRun(t, userID, run, "7001", syncer.ResourceOrders)
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Q.UpsertOrders(ctx, tenantdb.UpsertOrdersParams{UserID: userID, ShopID: "7001",
			OrderIds: []string{"o-1", "o-2"}, Statuses: []string{"COMPLETED", "COMPLETED"}, Currencies: []string{"USD", "USD"},
			CreateTimes: []time.Time{asOf, asOf}, UpdateTimes: []time.Time{asOf, asOf}, PaidTimes: []time.Time{{}, {}},
			DeliveryTimes: []time.Time{{}, {}}, CancelTimes: []time.Time{{}, {}}, ShippingTypes: []string{"TIKTOK", "TIKTOK"},
			IsSamples: []bool{false, false}, LineCounts: []int32{1, 1}, SubTotals: []int64{199900, 1}, ShippingFees: []int64{0, 0},
			SellerDiscounts: []int64{0, 0}, PlatformDiscounts: []int64{0, 0}, Taxes: []int64{0, 0}, TotalAmounts: []int64{199900, 1},
			ShippingSellerDiscounts: []int64{0, 0}, ShippingPlatformDiscounts: []int64{0, 0},
			Payloads: [][]byte{[]byte("sealed"), []byte("sealed")}, SyncedAt: asOf})
		return err
	})
	s.env.Clock.Advance(3 * time.Hour)
	revokedAt := s.env.Clock.Now()
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		_, err := shops.Revoke(ctx, tx, grant, "seller deauthorized")
		return err
	})

	banner := "data as of <time datetime=\"" + asOf.UTC().Format(time.RFC3339) + "\">" + asOf.UTC().Format("2 Jan 2006 15:04 MST") + "</time>"
	for _, path := range []string{"/dashboard", "/settings/shops"} {
		w := s.get(path, cookie)
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(body, "Access revoked:") || !strings.Contains(body, banner) ||
			!strings.Contains(body, "frozen") || !strings.Contains(body, ">Reconnect<") {
			t.Errorf("%s: %d; want the frozen-data banner with %q and a Reconnect button:\n%s", path, w.Code, banner, body)
		}
	}
	dash := s.get("/dashboard", cookie).Body.String()
	for _, want := range []string{"Glow US", "$1,999.01", "Glow CA", "First sync in progress"} {
		if !strings.Contains(dash, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	if strings.Count(dash, "Access revoked:") != 1 {
		t.Errorf("the dashboard has %d revoked banners; want only Glow US's", strings.Count(dash, "Access revoked:"))
	}

	// A shop revoked before any sync finished is frozen as of its revocation, and says the data is incomplete.
	early := s.connectShop(t, userID, "7003", "Glow MX", "MX")
	s.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		_, err := shops.Revoke(ctx, tx, early, "seller deauthorized")
		return err
	})
	partial := revokedAt.UTC().Format("2 Jan 2006 15:04 MST") + "</time>, from a first sync that did not finish"
	for _, path := range []string{"/dashboard", "/settings/shops"} {
		if body := s.get(path, cookie).Body.String(); !strings.Contains(body, partial) {
			t.Errorf("%s does not say the never-synced revoked shop's data is as of its revocation (%q)", path, partial)
		}
	}

	page := s.get("/settings/shops", cookie).Body.String()
	if strings.Contains(page, `name="shop" value="7001"`) || !strings.Contains(page, `name="shop" value="7002"`) {
		t.Error("Settings -> Shops offers Sync now for the revoked shop, or not for the connected one")
	}
	w := s.post("/settings/shops/sync", url.Values{"shop": {"7001"}}, cookie)
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Reconnect it") {
		t.Errorf("Sync now of a revoked shop: %d; want 409 saying to reconnect", w.Code)
	}
	if calls := s.syncs.Calls(); len(calls) != 0 {
		t.Fatalf("a revoked shop's sync was requested: %v", calls)
	}
}
