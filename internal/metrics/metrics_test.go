package metrics_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/profitline/profitline/internal/jobs"
	"github.com/profitline/profitline/internal/metrics"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/testenv"
)

// The syncer takes a Sync as its observer; metrics does not import syncer, so the match is checked here.
var _ syncer.Observer = (*metrics.Sync)(nil)

var discard = slog.New(slog.DiscardHandler)

func scrape(t *testing.T, h http.Handler, authorization string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func wantLines(t *testing.T, body string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(body, "\n"+l+"\n") {
			t.Errorf("the scrape lacks the line %q", l)
		}
	}
	if t.Failed() {
		t.Logf("scrape:\n%s", body)
	}
}

func TestTheHandlerServesWhatTheSyncObserverHeard(t *testing.T) {
	reg := metrics.New()
	reg.Sync.PageSynced("orders", 50, 48)
	reg.Sync.PageSynced("orders", 20, 0)
	reg.Sync.PageSynced("returns", 3, 3)
	reg.Sync.SyncFailed("orders", "rate_limited")
	reg.Sync.SyncFailed("orders", "rate_limited")
	reg.Sync.SyncFailed("returns", "internal")
	reg.Sync.RecordMalformed("orders")
	reg.Sync.OrdersSetAside(2)

	code, body := scrape(t, reg.Handler("", discard), "")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	wantLines(t, body,
		`profitline_sync_pages_total{resource="orders"} 2`,
		`profitline_sync_pages_total{resource="returns"} 1`,
		`profitline_sync_rows_total{resource="orders"} 70`,
		`profitline_sync_rows_written_total{resource="orders"} 48`,
		`profitline_sync_errors_total{class="rate_limited",resource="orders"} 2`,
		`profitline_sync_errors_total{class="internal",resource="returns"} 1`,
		`profitline_sync_malformed_records_total{resource="orders"} 1`,
		`profitline_sync_profit_orders_set_aside_total 2`,
	)
	for _, family := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(body, "\n"+family+" ") {
			t.Errorf("the scrape lacks the runtime's %s", family)
		}
	}
}

func TestMetricsNeedTheBearerTokenWhenOneIsSet(t *testing.T) {
	const token = "metrics-token-0123456789abcdef0123456789"
	h := metrics.New().Handler(token, discard)
	for auth, want := range map[string]int{
		"":                               http.StatusUnauthorized,
		"Bearer wrong":                   http.StatusUnauthorized,
		"Bearer " + token + "x":          http.StatusUnauthorized,
		"Basic " + token:                 http.StatusUnauthorized,
		token:                            http.StatusUnauthorized,
		"Bearer " + token:                http.StatusOK,
		"Bearer " + token[:len(token)-1]: http.StatusUnauthorized,
	} {
		code, body := scrape(t, h, auth)
		if code != want {
			t.Errorf("Authorization %q: %d; want %d", auth, code, want)
		}
		if code != http.StatusOK && strings.Contains(body, "go_goroutines") {
			t.Errorf("Authorization %q: refused, but the body holds metrics", auth)
		}
	}
	// Liveness says nothing worth a token, and orchestrators probe it without one.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "ok" {
		t.Errorf("GET /healthz = %d %q; want 200 ok", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET / = %d; want 404", rec.Code)
	}
}

type probeArgs struct{}

func (probeArgs) Kind() string { return "metrics_probe" }

type probeWorker struct {
	river.WorkerDefaults[probeArgs]
}

func (probeWorker) Work(context.Context, *river.Job[probeArgs]) error { return nil }

func TestTheDatabaseCollectorReportsActiveShopsLagAndTheQueuedJobs(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	now := env.Clock.Now()

	// connect gives a seller a shop with an active grant and the shop's orders cursor at syncedTo; revoked revokes
	// the grant afterwards.
	connect := func(openID, shopID string, syncedTo time.Time, revoked bool) {
		t.Helper()
		userID, err := env.Store.CreateTenant(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = env.Store.InTenant(ctx, userID, func(tx *store.Tx) error {
			grantID, err := shops.Save(ctx, tx, shops.Grant{OpenID: openID, Scopes: []string{"seller.order.info"}, Tokens: shops.Tokens{
				Access: "access-" + openID, AccessExpiresAt: now.Add(time.Hour), Refresh: "refresh-" + openID, RefreshExpiresAt: now.Add(24 * time.Hour),
			}}, []shops.Shop{{ID: shopID, Name: "Shop " + shopID, Region: "US", Cipher: "ROW_" + shopID}})
			if err != nil {
				return err
			}
			if _, err := tx.PgxTx().Exec(ctx, `INSERT INTO sync_cursors (user_id, shop_id, resource, synced_to, updated_at)
				VALUES ($1, $2, 'orders', $3, $4)`, userID, shopID, syncedTo, now); err != nil {
				return err
			}
			if revoked {
				_, err = shops.Revoke(ctx, tx, grantID, "test")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	connect("open-a", "7001", now.Add(-90*time.Minute), false)
	connect("open-b", "7001", now.Add(-30*time.Minute), false) // a second seller of the same shop, more recent
	connect("open-c", "7002", now.Add(-48*time.Hour), false)
	connect("open-d", "7003", now.Add(-72*time.Hour), true)

	pool, err := pgxpool.New(ctx, env.DB.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	workers := river.NewWorkers()
	river.AddWorker(workers, probeWorker{})
	client, err := jobs.NewClient(pool, workers, jobs.Config{Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := client.Insert(ctx, probeArgs{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.Insert(ctx, probeArgs{}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	reg := metrics.New()
	if err := reg.Register(metrics.NewDatabase(env.Store, env.Clock)); err != nil {
		t.Fatal(err)
	}
	code, body := scrape(t, reg.Handler("", discard), "")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d:\n%s", code, body)
	}
	wantLines(t, body,
		`profitline_sync_lag_seconds{resource="orders",shop_id="7001"} 5400`, // the older of its two sellers' cursors
		`profitline_sync_lag_seconds{resource="orders",shop_id="7002"} 172800`,
		`profitline_jobs{kind="metrics_probe",state="available"} 3`,
		`profitline_jobs{kind="metrics_probe",state="scheduled"} 1`,
	)
	if strings.Contains(body, `shop_id="7003"`) {
		t.Error("a shop whose grant is revoked is reported")
	}
	if strings.Contains(body, "user_id") {
		t.Error("a series is labelled with a user id")
	}

	// Time moves on and the gauge follows, with no new row.
	env.Clock.Advance(time.Minute)
	_, body = scrape(t, reg.Handler("", discard), "")
	wantLines(t, body, `profitline_sync_lag_seconds{resource="orders",shop_id="7001"} 5460`)
}

func TestADatabaseThatFailsCostsOnlyItsOwnSeries(t *testing.T) {
	env := testenv.New(t)
	reg := metrics.New()
	if err := reg.Register(metrics.NewDatabase(env.Store, env.Clock)); err != nil {
		t.Fatal(err)
	}
	reg.Sync.PageSynced("orders", 1, 1)
	env.Store.Close()
	code, body := scrape(t, reg.Handler("", discard), "")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics with the database gone = %d; want 200 with what could be collected", code)
	}
	wantLines(t, body, `profitline_sync_pages_total{resource="orders"} 1`)
	if strings.Contains(body, "profitline_jobs{") {
		t.Error("job counts reported without a database")
	}
}
