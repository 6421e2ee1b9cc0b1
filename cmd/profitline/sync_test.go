package main_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/localdev"
	"github.com/profitline/profitline/internal/profit"
	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
	"github.com/profitline/profitline/internal/vault"
	"github.com/profitline/profitline/internal/webhook"
)

// syncRig is a seller with a connected sandbox shop, and what `profitline serve` processes need to sync it: the
// test's database, Redis and sandbox, served from this process so the test can count and fault TikTok's calls.
type syncRig struct {
	db       *testenv.DB
	st       *store.Store // on the system clock, like the processes
	keys     *vault.KeyRing
	sessKeys string
	tt       *tiktoktest.Env
	userID   int64
	shop     sandbox.Shop
	env      []string
	port     int
}

func newSyncRig(t testing.TB, mutate func(*sandbox.Config)) *syncRig {
	t.Helper()
	ctx := context.Background()
	env := testenv.New(t)
	st, err := store.Open(ctx, env.DB.AppURL, env.Keys, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	port, err := localdev.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	// The sandbox's data stands still at the test's start, so it cannot change under the comparison, while the
	// processes sign their requests on the system clock.
	tt := tiktoktest.New(t, clock.NewFake(time.Now()), func(c *sandbox.Config) {
		c.RequestClock = clock.System{}
		c.Days, c.OrdersPerDay = 45, 20
		c.WebhookURL = fmt.Sprintf("http://127.0.0.1:%d/webhooks/tiktok", port)
		if mutate != nil {
			mutate(c)
		}
	})
	userID, shop := tiktoktest.Connect(t, st, tt.Sandbox)
	sessKeys, err := vault.GenerateKeySpec(1)
	if err != nil {
		t.Fatal(err)
	}
	indexKey := make([]byte, 32)
	_, _ = rand.Read(indexKey)
	redisURL := "redis://" + testenv.Redis(t).Options().Addr + "/0"
	return &syncRig{db: env.DB, st: st, keys: env.Keys, sessKeys: sessKeys, tt: tt, userID: userID, shop: shop, port: port,
		env: append(os.Environ(), "PROFITLINE_ENV=dev", "BIND_HOST=127.0.0.1", "PORT="+fmt.Sprint(port),
			"DATABASE_URL="+env.DB.AppURL, "PROFITLINE_DATA_KEYS="+env.KeySpec, "SESSION_KEYS="+sessKeys,
			"EMAIL_INDEX_KEY="+base64.StdEncoding.EncodeToString(indexKey),
			"REDIS_URL="+redisURL, "REDIS_KEY_PREFIX="+testenv.RedisPrefix(t, env.DB),
			"TIKTOK_API_BASE="+tt.URL, "TIKTOK_AUTH_BASE="+tt.URL, "TIKTOK_AUTHORIZE_URL="+tt.Config.AuthorizeURL,
			"TIKTOK_APP_KEY="+tt.Config.AppKey, "TIKTOK_APP_SECRET="+tt.Config.AppSecret, "TIKTOK_SERVICE_ID="+tt.Config.ServiceID,
			// Short budgets, so a run killed mid-way is rescued within the test's patience.
			"SYNC_RUN_BUDGET=1s", "SYNC_BACKFILL=2160h"),
	}
}

// serve starts `profitline serve` with args, and stops it when the test ends.
func (r *syncRig) serve(t testing.TB, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = r.env
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("serve %v logs:\n%s", args, logs)
		}
	})
	return cmd, logs
}

// runs is the latest run of each resource of the rig's shop.
func (r *syncRig) runs(t testing.TB) map[string]tenantdb.LatestSyncRunsRow {
	t.Helper()
	ctx := context.Background()
	out := map[string]tenantdb.LatestSyncRunsRow{}
	err := r.st.InTenant(ctx, r.userID, func(tx *store.Tx) error {
		rows, err := tx.Q.LatestSyncRuns(ctx, tenantdb.LatestSyncRunsParams{UserID: r.userID, Resources: syncer.Resources()})
		for _, row := range rows {
			if row.ShopID == r.shop.ID {
				out[row.Resource] = row
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waitSynced waits until every resource's latest run succeeded, the tables hold the sandbox's records, every order
// the sync queued for its profit is computed (the queue is empty) and no job is running or due. When the runs are
// done but the tables differ, it says so once, and what differs.
func (r *syncRig) waitSynced(t testing.TB, within time.Duration) {
	t.Helper()
	start := time.Now()
	deadline, said := start.Add(within), false
	for {
		runs := r.runs(t)
		done := len(runs) == len(syncer.Resources())
		for _, run := range runs {
			done = done && run.Status == "succeeded"
		}
		// The cheap signs first: summing every table against the sandbox takes a core for a third of a second
		// with 100,000 orders, and counting a queue of 200,000 entries 34 ms, which a poll every 200 ms would take
		// from the profit work it waits for. River's jobs are few: the queue is counted once they are done.
		if done && r.jobsBusy(t) == 0 && r.profitQueued(t) == 0 {
			got, want, same := tiktoktest.SameAsSandbox(t, r.st, r.tt.Sandbox, r.userID, r.shop.ID)
			if same {
				return
			}
			if !said || time.Now().After(deadline) {
				t.Logf("%.1f s: every run succeeded and the profit queue is empty, but the tables hold\n%+v\nthe sandbox holds\n%+v",
					time.Since(start).Seconds(), got, want)
				said = true
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not synced within %s; latest runs: %+v; %d entries on the profit queue", within, runs, r.profitQueued(t))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// jobsBusy is how many jobs are running or ready to run: a run records its end before the profit work after it
// (the catch-up, the shop's fee rates), so the sync is over only when its jobs are.
func (r *syncRig) jobsBusy(t testing.TB) int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, r.db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE state IN ('running', 'available', 'retryable')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// profitQueued is how many entries the shop's profit queue holds.
func (r *syncRig) profitQueued(t testing.TB) int64 {
	t.Helper()
	ctx := context.Background()
	var n int64
	err := r.st.InTenant(ctx, r.userID, func(tx *store.Tx) error {
		var err error
		n, err = tx.Q.ProfitQueueLength(ctx, tenantdb.ProfitQueueLengthParams{UserID: r.userID, ShopID: r.shop.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTwoWorkerProcessesSyncEverythingOnceWithoutFetchingAPageTwice(t *testing.T) {
	r := newSyncRig(t, func(c *sandbox.Config) { c.Faults.PageDelay = 20 * time.Millisecond })
	r.serve(t, "-workers")
	r.serve(t, "-workers")
	r.waitSynced(t, 3*time.Minute)
	if dup := r.tt.Sandbox.DuplicatePages(r.shop.Cipher); len(dup) > 0 {
		t.Fatalf("TikTok served %d pages more than once, e.g. %s", len(dup), dup[0])
	}
	// Both processes kept the profit rollups as they wrote, sometimes the same orders at once; a rebuild from the
	// rows by the operator's command must find them exactly right.
	synced := r.dailyProfit(t)
	if len(synced) == 0 {
		t.Fatal("the sync left no daily profit rows")
	}
	cmd := exec.Command(bin, "rollups", "rebuild", "-user", fmt.Sprint(r.userID))
	cmd.Env = r.env
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "rebuilt the profit rows of 1 sellers") {
		t.Fatalf("rollups rebuild: %v\n%s", err, out)
	}
	if rebuilt := r.dailyProfit(t); !slices.Equal(rebuilt, synced) {
		t.Fatalf("the rebuild changed the daily profit rows:\n%d rows after the sync, %d after the rebuild", len(synced), len(rebuilt))
	}
}

// dailyProfit is the seller's daily_profit rows whose measures are not all zero, as JSON, in key order.
func (r *syncRig) dailyProfit(t *testing.T) []string {
	t.Helper()
	conn := testenv.Connect(t, r.db.OwnerURL)
	rows, err := conn.Query(context.Background(), `SELECT to_jsonb(d) FROM daily_profit d WHERE user_id = $1 ORDER BY shop_id, sku_id, day, currency`, r.userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m map[string]any
		if err := rows.Scan(&m); err != nil {
			t.Fatal(err)
		}
		zero := true
		for _, name := range profit.MeasureNames() {
			zero = zero && m[name] == 0.0
		}
		if !zero {
			b, _ := json.Marshal(m)
			out = append(out, string(b))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAWorkerKilledMidSyncIsReplacedAndTheResultIsTheSame(t *testing.T) {
	r := newSyncRig(t, func(c *sandbox.Config) { c.Faults.PageDelay = 60 * time.Millisecond })
	first, _ := r.serve(t, "-workers")
	deadline := time.Now().Add(time.Minute)
	for r.runs(t)[syncer.ResourceOrders].PagesDone < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the orders sync did not get going within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	stored := tiktoktest.Stored(t, r.st, r.userID, r.shop.ID)
	if want := r.tt.Sandbox.Totals(r.shop.ID); stored.Orders == 0 || stored.Orders >= want.Orders {
		t.Fatalf("%d of %d orders stored when the worker died; want it killed mid-sync", stored.Orders, want.Orders)
	}
	r.serve(t, "-workers")
	// The dead worker's job waits for River's rescuer (after three run budgets, checked every 30 s).
	r.waitSynced(t, 3*time.Minute)
}

func TestADeauthorizationWebhookStopsEveryCallWithinSecondsAndFreezesTheDashboard(t *testing.T) {
	r := newSyncRig(t, func(c *sandbox.Config) { c.Faults.PageDelay = 150 * time.Millisecond })
	_, logs := r.serve(t) // web and workers
	base := fmt.Sprintf("http://127.0.0.1:%d", r.port)
	waitReady(t, base, logs)
	deadline := time.Now().Add(time.Minute)
	for r.runs(t)[syncer.ResourceOrders].PagesDone < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the orders sync did not get going within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := r.tt.Sandbox.SendWebhook(context.Background(), webhook.TypeSellerDeauthorization, r.shop.ID, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	calls := r.tt.Sandbox.Calls(r.shop.Cipher)
	time.Sleep(3 * time.Second)
	if n := r.tt.Sandbox.Calls(r.shop.Cipher) - calls; n != 0 {
		t.Fatalf("TikTok saw %d calls for the shop more than 5 s after its deauthorization; want none", n)
	}
	body := r.get(t, base+"/dashboard")
	if !strings.Contains(body, "Access revoked") || !strings.Contains(body, "data as of") || !strings.Contains(body, "Reconnect") {
		t.Fatalf("the dashboard after a deauthorization does not show the frozen-data banner:\n%s", body)
	}
}

// get fetches a page as the rig's seller, signed in with a session made as the app makes them.
func (r *syncRig) get(t *testing.T, url string) string {
	t.Helper()
	ctx := context.Background()
	keys, err := vault.ParseKeyRing(r.sessKeys)
	if err != nil {
		t.Fatal(err)
	}
	m := session.NewManager(r.st, testenv.Redis(t), keys, clock.System{}, session.Config{KeyPrefix: "test:" + r.db.Name + ":"}, nil)
	var cookie *http.Cookie
	err = r.st.InTenant(ctx, r.userID, func(tx *store.Tx) error {
		// The pages greet the seller by address: give the tenant one, sealed as the account flows seal it.
		sealed, err := tx.Seal(ctx, "users.email", "", []byte("seller@example.test"))
		if err != nil {
			return err
		}
		index := make([]byte, 32)
		_, _ = rand.Read(index)
		if err := tx.Q.SetAccount(ctx, tenantdb.SetAccountParams{UserID: r.userID, EmailIndex: index, EmailSealed: sealed, PasswordHash: "unused"}); err != nil {
			return err
		}
		cookie, err = m.Start(ctx, tx, session.Meta{UserAgent: "test"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.AddCookie(cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d:\n%s", url, res.StatusCode, b)
	}
	return string(b)
}

func waitReady(t *testing.T, base string, logs *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer within 30s:\n%s", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
