package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/profitline/profitline/internal/config"
	"github.com/profitline/profitline/internal/localdev"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/vault"
)

const metricsToken = "test-metrics-token-0123456789abcdef"

// testConfig is a dev configuration over this test's own database and Redis keys, with TikTok credentials that are
// never called (no shop is connected) and metrics on a free loopback port behind a token.
func testConfig(t *testing.T) (*config.Config, *testenv.DB) {
	t.Helper()
	db := testenv.NewDB(t)
	port, err := localdev.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	keys := func() string {
		spec, err := vault.GenerateKeySpec(1)
		if err != nil {
			t.Fatal(err)
		}
		return spec
	}
	env := map[string]string{
		"PORT":                 fmt.Sprint(port),
		"DATABASE_URL":         db.AppURL,
		"REDIS_URL":            "redis://" + testenv.Redis(t).Options().Addr + "/0",
		"REDIS_KEY_PREFIX":     testenv.RedisPrefix(t, db),
		"PROFITLINE_DATA_KEYS": keys(),
		"SESSION_KEYS":         keys(),
		"EMAIL_INDEX_KEY":      "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
		"TIKTOK_APP_KEY":       "app-key",
		"TIKTOK_APP_SECRET":    "app-secret",
		"TIKTOK_SERVICE_ID":    "service",
		"TIKTOK_API_BASE":      "http://127.0.0.1:1",
		"TIKTOK_AUTH_BASE":     "http://127.0.0.1:1",
		"METRICS_TOKEN":        metricsToken,
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

// start runs the app for role until the test ends and returns its public address ("" for none).
func start(t *testing.T, cfg *config.Config, role Role) (*App, string) {
	t.Helper()
	a, err := NewFor(context.Background(), cfg, role, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- a.Run(ctx, func(addr string) { ready <- addr }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case addr := <-ready:
		return a, addr
	case err := <-done:
		t.Fatalf("Run ended before serving: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the app did not start within 30s")
	}
	return nil, ""
}

// noRedirects shows each answer as it is: the web app sends anonymous requests for unknown paths to /login.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, url, authorization string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestMetricsAreServedOnTheirOwnListenerBehindTheTokenAndNeverOnThePublicOne(t *testing.T) {
	cfg, _ := testConfig(t)
	a, public := start(t, cfg, RoleAll)
	for _, auth := range []string{"", "Bearer " + metricsToken} {
		// 404, or for a visitor who is not signed in the redirect to /login that every unknown path gets.
		code, body := get(t, "http://"+public+"/metrics", auth)
		if (code != http.StatusNotFound && code != http.StatusSeeOther) || strings.Contains(body, "profitline_") || strings.Contains(body, "go_goroutines") {
			t.Errorf("the public listener answers GET /metrics (Authorization %q) with %d:\n%s", auth, code, body)
		}
	}
	if a.metricsAddr == "" || a.metricsAddr == public {
		t.Fatalf("metrics listen on %q, the public listener on %q; want a listener of their own", a.metricsAddr, public)
	}
	if code, _ := get(t, "http://"+a.metricsAddr+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("GET /metrics without the token = %d; want 401", code)
	}
	code, body := get(t, "http://"+a.metricsAddr+"/metrics", "Bearer "+metricsToken)
	if code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("GET /metrics with the token = %d:\n%s", code, body)
	}
	// The job counts come from the database: the sync scheduler runs once at start.
	scrapeUntil(t, a.metricsAddr, `profitline_jobs{kind="sync_schedule"`)
}

// scrapeUntil scrapes the metrics until they hold want, for up to 15 seconds.
func scrapeUntil(t *testing.T, addr, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, body := get(t, "http://"+addr+"/metrics", "Bearer "+metricsToken)
		if strings.Contains(body, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the metrics did not show %s within 15s:\n%s", want, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestAWebOnlyAppInsertsJobsButWorksNone(t *testing.T) {
	cfg, db := testConfig(t)
	a, public := start(t, cfg, RoleWeb)
	if code, _ := get(t, "http://"+public+"/healthz", ""); code != http.StatusOK {
		t.Fatalf("the web role's /healthz = %d", code)
	}
	if a.Accounts == nil {
		t.Fatal("the web role has no account service")
	}
	// A working River client registers its queues when it starts; an insert-only one never starts.
	if n := riverQueues(t, db); n != 0 {
		t.Fatalf("the web role registered %d queues; an insert-only client registers none", n)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, syncer.NewSyncWorker(nil))
	q, err := startJobs(context.Background(), cfg, workers, false, nil, time.Minute, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer q.stop()
	if err := syncer.EnqueueShop(context.Background(), q.client, 1, "7001"); err != nil {
		t.Fatalf("the web role's insert-only client could not enqueue a sync: %v", err)
	}
	if n := riverQueues(t, db); n != 0 {
		t.Fatalf("inserting registered %d queues", n)
	}
}

func TestAWorkersOnlyAppOpensNoPublicListenerButServesMetrics(t *testing.T) {
	cfg, db := testConfig(t)
	a, public := start(t, cfg, RoleWorkers)
	if public != "" || a.Accounts != nil || a.srv != nil || a.sessions != nil {
		t.Fatalf("the workers role built the web: address %q, accounts %v, server %v, sessions %v",
			public, a.Accounts != nil, a.srv != nil, a.sessions != nil)
	}
	if _, err := net.DialTimeout("tcp", cfg.ListenAddr, time.Second); err == nil {
		t.Fatalf("something listens on the public address %s", cfg.ListenAddr)
	}
	if n := riverQueues(t, db); n != 1 {
		t.Fatalf("the workers role registered %d queues; want the default one", n)
	}
	if code, body := get(t, "http://"+a.metricsAddr+"/healthz", ""); code != http.StatusOK || body != "ok" {
		t.Fatalf("the workers role's metrics /healthz = %d %q", code, body)
	}
	// The periodic scheduler runs (once at start) and a worker completes it.
	scrapeUntil(t, a.metricsAddr, `profitline_jobs{kind="sync_schedule",state="completed"} `)
}

func riverQueues(t *testing.T, db *testenv.DB) int {
	t.Helper()
	var n int
	if err := testenv.Connect(t, db.OwnerURL).QueryRow(context.Background(), `SELECT count(*) FROM river.river_queue`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
