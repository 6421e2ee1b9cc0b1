package returns_test

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/profitline/profitline/internal/accounttest"
	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/jobs"
	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/returns"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/syncer"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
	"github.com/profitline/profitline/internal/tiktoktest"
)

// world is the account stack with the sandbox's shops synced for sellers, on one fake clock.
type world struct {
	st *accounttest.Stack
	tt *tiktoktest.Env
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st := accounttest.New(t)
	tt := tiktoktest.New(t, st.Env.Clock, func(c *sandbox.Config) { c.Days, c.OrdersPerDay = 20, 40 })
	return &world{st: st, tt: tt}
}

// seller creates a confirmed seller whose grant covers the sandbox shops named (by index), synced as the app syncs
// them.
func (w *world) seller(t *testing.T, email string, shopIdx ...int) int64 {
	t.Helper()
	ctx := context.Background()
	userID, err := w.st.Accounts.CreateConfirmed(ctx, email, "a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := w.tt.Sandbox.IssueTokens("")
	if err != nil {
		t.Fatal(err)
	}
	all := w.tt.Sandbox.Shops()
	var list []shops.Shop
	for _, i := range shopIdx {
		sh := all[i]
		list = append(list, shops.Shop{ID: sh.ID, Name: sh.Name, Region: sh.Region, Cipher: sh.Cipher})
	}
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		_, err := shops.Save(ctx, tx, shops.Grant{OpenID: tokens.OpenID, Scopes: sandbox.ReadScopes, Tokens: shops.Tokens{
			Access: tokens.AccessToken, AccessExpiresAt: tokens.AccessExpires, Refresh: tokens.RefreshToken, RefreshExpiresAt: tokens.RefreshExpires,
		}}, list)
		return err
	})
	log := slog.New(slog.DiscardHandler)
	env := w.st.Env
	sy := syncer.New(env.Store, w.tt.Client, connect.New(env.Store, w.tt.Client, env.Clock, log), env.Clock,
		syncer.Config{Backfill: 30 * 24 * time.Hour, PageSize: 50}, log)
	for _, sh := range list {
		for _, r := range []string{syncer.ResourceOrders, syncer.ResourceReturns} {
			if _, err := sy.Sync(ctx, userID, sh.ID, r); err != nil {
				t.Fatalf("sync %s of %s: %v", r, sh.ID, err)
			}
		}
	}
	return userID
}

func (w *world) tenant(t *testing.T, userID int64, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := w.st.Env.Store.InTenant(ctx, userID, func(tx *store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

var links = returns.NewURLs("https://app.example.com")

// evaluate runs one evaluation of the seller's alerts at the clock's time.
func (w *world) evaluate(t *testing.T, userID int64) returns.Report {
	t.Helper()
	var rep returns.Report
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		rep, err = returns.Evaluate(ctx, tx, w.st.Queue, links, w.st.Env.Clock.Now())
		return err
	})
	return rep
}

func (w *world) settings(t *testing.T, userID int64, s returns.Settings) {
	t.Helper()
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error { return returns.SaveSettings(ctx, tx, s) })
}

// step is one alert step as stored.
type step struct {
	shop, ret     string
	deadline      time.Time
	before        int
	state, reason string
	due           time.Time
	done          *time.Time
}

func (w *world) steps(t *testing.T, userID int64) []step {
	t.Helper()
	var out []step
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		rows, err := tx.PgxTx().Query(ctx, `SELECT shop_id, return_id, deadline, before_minutes, state, reason, due_at, done_at
			FROM return_alerts WHERE user_id = $1 ORDER BY shop_id, return_id, deadline, before_minutes DESC`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s step
			if err := rows.Scan(&s.shop, &s.ret, &s.deadline, &s.before, &s.state, &s.reason, &s.due, &s.done); err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out
}

// alertMails are the dedupe keys of the seller's alert mails in the outbox.
func (w *world) alertMails(t *testing.T, userID int64) []string {
	t.Helper()
	var keys []string
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		rows, err := tx.PgxTx().Query(ctx, `SELECT dedupe_key FROM mail_outbox WHERE user_id = $1 AND kind = $2 ORDER BY id`,
			userID, returns.KindDeadlineAlert)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			keys = append(keys, k)
		}
		return rows.Err()
	})
	return keys
}

// openDeadlines are the seller's open returns' deadlines, by "shop/return".
func (w *world) openDeadlines(t *testing.T, userID int64) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		rows, err := tx.Q.OpenReturnDeadlines(ctx, userID)
		for _, r := range rows {
			out[r.ShopID+"/"+r.ReturnID] = r.Deadline
		}
		return err
	})
	return out
}

func noQuiet() returns.Settings {
	s := returns.DefaultSettings()
	s.QuietStart, s.QuietEnd = 0, 0
	return s
}

func TestEachStepFiresExactlyOnceAtItsTime(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "ladder@example.com", 0)
	w.settings(t, seller, noQuiet())
	open := w.openDeadlines(t, seller)
	if len(open) == 0 {
		t.Fatal("the sandbox shop has no open return to alert about")
	}
	start := w.st.Env.Clock.Now()
	last := start
	for _, d := range open {
		if d.After(last) {
			last = d
		}
	}
	const tick = 10 * time.Minute
	for !w.st.Env.Clock.Now().After(last) {
		w.evaluate(t, seller)
		w.st.Env.Clock.Advance(tick)
	}
	steps := w.steps(t, seller)
	sent := 0
	for _, s := range steps {
		key := s.shop + "/" + s.ret
		if _, ok := open[key]; !ok {
			t.Errorf("a step for %s, which is not open", key)
		}
		if s.state != "sent" {
			t.Errorf("step %d min of %s is %s (%s); want sent", s.before, key, s.state, s.reason)
			continue
		}
		sent++
		nominal := s.deadline.Add(-time.Duration(s.before) * time.Minute)
		if nominal.After(start) && (s.done.Before(nominal) || s.done.Sub(nominal) >= tick) {
			t.Errorf("step %d min of %s sent at %v; its time was %v", s.before, key, s.done, nominal)
		}
	}
	mails := w.alertMails(t, seller)
	if len(mails) != sent {
		t.Errorf("%d alert mails for %d steps sent", len(mails), sent)
	}
	seen := map[string]bool{}
	for _, k := range mails {
		if seen[k] {
			t.Errorf("two mails with the key %s", k)
		}
		seen[k] = true
	}
	// A return first seen with less than 24 hours left gets one step at once, not one per passed step.
	perDeadline := map[string][]step{}
	for _, s := range steps {
		perDeadline[s.shop+"/"+s.ret] = append(perDeadline[s.shop+"/"+s.ret], s)
	}
	for key, ss := range perDeadline {
		atStart := 0
		for _, s := range ss {
			if !s.done.After(start) {
				atStart++
			}
		}
		if atStart > 1 {
			t.Errorf("%s: %d steps sent at once when first seen; want at most 1", key, atStart)
		}
	}
}

// setDeadline gives one of the seller's returns a deadline (nil: handled, nothing due).
func (w *world) setDeadline(t *testing.T, userID int64, key string, at *time.Time) {
	t.Helper()
	shop, ret, _ := strings.Cut(key, "/")
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		actions := "[]"
		if at != nil {
			actions = fmt.Sprintf(`[{"action": "SELLER_RESPOND_REFUND", "deadline": %d}]`, at.Unix())
		}
		_, err := tx.PgxTx().Exec(ctx, `UPDATE returns SET next_deadline = $4, next_actions = $5::jsonb
			WHERE user_id = $1 AND shop_id = $2 AND return_id = $3`, userID, shop, ret, at, actions)
		return err
	})
}

// oneOpenReturn leaves the seller one open return, due at deadline, and returns its key.
func (w *world) oneOpenReturn(t *testing.T, userID int64, deadline time.Time) string {
	t.Helper()
	open := w.openDeadlines(t, userID)
	if len(open) == 0 {
		t.Fatal("no open return")
	}
	var keep string
	for k := range open {
		if keep == "" {
			keep = k
			continue
		}
		w.setDeadline(t, userID, k, nil)
	}
	w.setDeadline(t, userID, keep, &deadline)
	return keep
}

func TestQuietHoursHoldAllButTheLastStep(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "quiet@example.com", 0)
	now := w.st.Env.Clock.Now()
	w.settings(t, seller, returns.DefaultSettings()) // quiet from 22:00 to 07:00 in the seller's zone (UTC)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 2)
	// Due at 02:30: the 24 h step (02:30 the day before) is held to 07:00; the 12 h step (14:30) fires on time;
	// the 4 h step (22:30) would be held past the last step, so it is dropped; the last (01:30) fires in quiet hours.
	deadline := day.Add(2*time.Hour + 30*time.Minute)
	key := w.oneOpenReturn(t, seller, deadline)
	const tick = 10 * time.Minute
	for w.st.Env.Clock.Now().Before(deadline) {
		w.evaluate(t, seller)
		w.st.Env.Clock.Advance(tick)
	}
	want := map[int]time.Time{
		24 * 60: day.Add(-17 * time.Hour), // 07:00 the day before
		12 * 60: deadline.Add(-12 * time.Hour),
		60:      deadline.Add(-time.Hour),
	}
	got := map[int]time.Time{}
	for _, st := range w.steps(t, seller) {
		if st.shop+"/"+st.ret == key && st.state == "sent" {
			got[st.before] = *st.done
		}
	}
	if len(got) != len(want) {
		t.Errorf("steps sent %v; want %v", got, want)
	}
	for before, at := range want {
		if g, ok := got[before]; !ok || g.Before(at) || g.Sub(at) >= tick {
			t.Errorf("step %d min sent at %v; want at %v", before, g, at)
		}
	}
}

func TestAHandledReturnCancelsItsPendingSteps(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "handled@example.com", 0)
	w.settings(t, seller, noQuiet())
	deadline := w.st.Env.Clock.Now().Add(30 * time.Hour)
	key := w.oneOpenReturn(t, seller, deadline)
	w.evaluate(t, seller)
	w.setDeadline(t, seller, key, nil) // the seller responded in Seller Center; the next sync cleared the deadline
	rep := w.evaluate(t, seller)
	if rep.Cancelled != 4 {
		t.Errorf("cancelled %d steps; want the 4 pending", rep.Cancelled)
	}
	w.st.Env.Clock.Advance(31 * time.Hour)
	if rep := w.evaluate(t, seller); rep.Sent != 0 {
		t.Errorf("sent %d alerts for a handled return", rep.Sent)
	}
	if m := w.alertMails(t, seller); len(m) != 0 {
		t.Errorf("alert mails %v for a handled return", m)
	}
}

func TestAMovedDeadlineReplans(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "moved@example.com", 0)
	w.settings(t, seller, noQuiet())
	deadline := w.st.Env.Clock.Now().Add(30 * time.Hour)
	key := w.oneOpenReturn(t, seller, deadline)
	w.evaluate(t, seller)
	moved := deadline.Add(48 * time.Hour)
	w.setDeadline(t, seller, key, &moved)
	w.evaluate(t, seller)
	byDeadline := map[bool][]string{}
	for _, st := range w.steps(t, seller) {
		byDeadline[st.deadline.Equal(moved)] = append(byDeadline[st.deadline.Equal(moved)], st.state+":"+st.reason)
	}
	for _, s := range byDeadline[false] {
		if s != "cancelled:deadline moved" {
			t.Errorf("a step of the old deadline is %s; want cancelled:deadline moved", s)
		}
	}
	if len(byDeadline[true]) != 4 {
		t.Errorf("the new deadline has steps %v; want the 4 of the ladder, pending", byDeadline[true])
	}
	// The workers were down until half an hour before the new deadline: of the four steps due, only the last goes.
	w.st.Env.Clock.Set(moved.Add(-30 * time.Minute))
	w.evaluate(t, seller)
	if m := w.alertMails(t, seller); len(m) != 1 || !strings.HasSuffix(m[0], "/60") {
		t.Errorf("alert mails %v; want one, for the last step (the latest due, not a burst)", m)
	}
}

func TestTwoWorkersSendEachAlertOnce(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "twice@example.com", 0)
	w.settings(t, seller, noQuiet())
	if len(w.openDeadlines(t, seller)) == 0 {
		t.Fatal("no open return")
	}
	for range 30 {
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- w.st.Env.Store.InTenant(context.Background(), seller, func(tx *store.Tx) error {
					_, err := returns.Evaluate(context.Background(), tx, w.st.Queue, links, w.st.Env.Clock.Now())
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		w.st.Env.Clock.Advance(2 * time.Hour)
	}
	sent := 0
	for _, st := range w.steps(t, seller) {
		if st.state == "sent" {
			sent++
		}
	}
	mails := w.alertMails(t, seller)
	if sent == 0 || len(mails) != sent {
		t.Errorf("%d mails for %d steps sent", len(mails), sent)
	}
	// The provider sees each mail once: the dev transport keeps one message per idempotency key.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && countAlerts(w) < len(mails) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := countAlerts(w); n != len(mails) {
		t.Errorf("the provider received %d alerts; want %d", n, len(mails))
	}
}

func countAlerts(w *world) int {
	n := 0
	keys := map[string]bool{}
	for _, m := range w.st.Outbox.Messages() {
		if strings.Contains(m.IdempotencyKey, "/return-alert/") && !keys[m.IdempotencyKey] {
			keys[m.IdempotencyKey] = true
			n++
		}
	}
	return n
}

func TestSellerBsReturnsNeverReachSellerA(t *testing.T) {
	w := newWorld(t)
	a := w.seller(t, "seller-a@example.com", 1) // the sandbox's second shop
	b := w.seller(t, "seller-b@example.com", 0) // its first
	shopA, shopB := w.tt.Sandbox.Shops()[1].ID, w.tt.Sandbox.Shops()[0].ID
	w.settings(t, a, noQuiet())
	w.settings(t, b, noQuiet())
	for range 50 {
		w.evaluate(t, a)
		w.evaluate(t, b)
		w.st.Env.Clock.Advance(4 * time.Hour)
	}
	for seller, shop := range map[int64]string{a: shopA, b: shopB} {
		steps := w.steps(t, seller)
		for _, s := range steps {
			if s.shop != shop {
				t.Errorf("seller %d has an alert step for shop %s", seller, s.shop)
			}
		}
		for _, k := range w.alertMails(t, seller) {
			if !strings.HasPrefix(k, "return-alert/"+shop+"/") {
				t.Errorf("seller %d has the alert mail %s", seller, k)
			}
		}
	}
	if len(w.alertMails(t, b)) == 0 {
		t.Error("seller B got no alert")
	}
	want := len(w.alertMails(t, a)) + len(w.alertMails(t, b))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && countAlerts(w) < want {
		time.Sleep(20 * time.Millisecond)
	}
	for _, m := range w.st.Outbox.Messages() {
		if !strings.Contains(m.IdempotencyKey, "/return-alert/") {
			continue
		}
		owner, shop := a, shopA
		if m.To == "seller-b@example.com" {
			owner, shop = b, shopB
		}
		if m.IdempotencyKey[:strings.Index(m.IdempotencyKey, "/")] != strconv.FormatInt(owner, 10) ||
			!strings.Contains(m.IdempotencyKey, "/return-alert/"+shop+"/") {
			t.Errorf("an alert %s went to %s", m.IdempotencyKey, m.To)
		}
	}
}

func TestADisconnectedShopCancelsItsAlerts(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "gone@example.com", 0)
	w.settings(t, seller, noQuiet())
	deadline := w.st.Env.Clock.Now().Add(30 * time.Hour)
	w.oneOpenReturn(t, seller, deadline)
	w.evaluate(t, seller)
	w.tenant(t, seller, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.PgxTx().Exec(ctx, `UPDATE tiktok_shops SET disconnected_at = $2 WHERE user_id = $1`, seller, tx.Now())
		return err
	})
	if rep := w.evaluate(t, seller); rep.Cancelled != 4 {
		t.Errorf("cancelled %d steps; want 4", rep.Cancelled)
	}
}

func TestTheOneClickLinkOpensOnlyForItsSeller(t *testing.T) {
	w := newWorld(t)
	a := w.seller(t, "link-a@example.com")
	b := w.seller(t, "link-b@example.com")
	var link string
	w.tenant(t, a, func(ctx context.Context, tx *store.Tx) error {
		var err error
		link, err = links.Settings(ctx, tx, tx.Now())
		return err
	})
	_, token, _ := strings.Cut(link, "?t=")
	userID, err := returns.LinkUser(token)
	if err != nil || userID != a {
		t.Fatalf("LinkUser = %d, %v; want %d", userID, err, a)
	}
	w.tenant(t, a, func(ctx context.Context, tx *store.Tx) error {
		if err := returns.OpenSettingsLink(ctx, tx, token, tx.Now()); err != nil {
			t.Errorf("seller A's own link: %v", err)
		}
		if err := returns.OpenSettingsLink(ctx, tx, token, tx.Now().Add(returns.SettingsLinkTTL)); err != returns.ErrLinkExpired {
			t.Errorf("an expired link: %v", err)
		}
		return nil
	})
	forged := fmt.Sprintf("%d.%s", b, strings.SplitN(token, ".", 2)[1])
	w.tenant(t, b, func(ctx context.Context, tx *store.Tx) error {
		if err := returns.OpenSettingsLink(ctx, tx, forged, tx.Now()); err != returns.ErrLinkInvalid {
			t.Errorf("seller A's sealed value under seller B's id: %v", err)
		}
		return nil
	})
}

// fakeSync completes at once: it stands in for the syncer, whose completion of a returns sync is the signal.
type fakeSync struct {
	river.WorkerDefaults[syncer.SyncArgs]
}

func (fakeSync) Work(context.Context, *river.Job[syncer.SyncArgs]) error { return nil }

func TestAReturnsSyncThatCompletesSendsTheAlertsDue(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "after-sync@example.com", 0)
	w.settings(t, seller, noQuiet())
	if len(w.openDeadlines(t, seller)) == 0 {
		t.Fatal("no open return")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	// The stack's own queue works only mail: stop it, so every job goes to the workers below.
	stack, ok := w.st.Queue.(*river.Client[pgx.Tx])
	if !ok {
		t.Fatalf("the stack's queue is a %T", w.st.Queue)
	}
	if err := stack.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, w.st.Env.DB.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	log := slog.New(slog.DiscardHandler)
	workers := river.NewWorkers()
	river.AddWorker(workers, fakeSync{})
	river.AddWorker(workers, returns.NewEvaluateWorker(w.st.Env.Store, links, w.st.Env.Clock))
	river.AddWorker(workers, returns.NewScheduleWorker(w.st.Env.Store))
	river.AddWorker(workers, mail.NewSendWorker(w.st.Env.Store, w.st.Outbox, w.st.Env.Clock))
	client, err := jobs.NewClient(pool, workers, jobs.Config{Queues: map[string]int{jobs.QueueDefault: 2}, Logger: log,
		FetchPollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.StopAndCancel(context.Background()) })
	returns.AfterReturnSyncs(ctx, client, log)

	shopID := w.tt.Sandbox.Shops()[0].ID
	if _, err := client.Insert(ctx, syncer.SyncArgs{UserID: seller, ShopID: shopID, Resource: syncer.ResourceReturns}, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) && len(w.alertMails(t, seller)) == 0 {
		time.Sleep(50 * time.Millisecond)
	}
	mails := w.alertMails(t, seller)
	if len(mails) == 0 {
		t.Fatal("no alert after the returns sync completed")
	}
	for time.Now().Before(deadline) && countAlerts(w) < len(mails) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := countAlerts(w); n != len(mails) {
		t.Errorf("the provider received %d alerts; the outbox holds %d", n, len(mails))
	}
}

func TestTheDigestGoesOutOnceADayAndOnlyWhenAsked(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "digest@example.com", 0)
	s := noQuiet()
	w.settings(t, seller, s)
	now := w.st.Env.Clock.Now()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	w.oneOpenReturn(t, seller, midnight.Add(60*time.Hour))                           // noon, the day after tomorrow
	at := midnight.Add(24*time.Hour + time.Duration(returns.DigestHour+1)*time.Hour) // 09:00 tomorrow, seller's zone (UTC)
	w.st.Env.Clock.Set(at)
	if rep := w.evaluate(t, seller); rep.Digest {
		t.Error("a digest went out though the seller never asked for one")
	}
	s.Digest = true
	w.settings(t, seller, s)
	if rep := w.evaluate(t, seller); !rep.Digest {
		t.Error("no digest at 09:00 with a return due within 48 hours")
	}
	w.st.Env.Clock.Advance(time.Hour)
	w.evaluate(t, seller)
	w.tenant(t, seller, func(ctx context.Context, tx *store.Tx) error {
		var n int
		err := tx.PgxTx().QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE user_id = $1 AND kind = $2`, seller, returns.KindDigest).Scan(&n)
		if n != 1 {
			t.Errorf("%d digests on one day; want 1", n)
		}
		return err
	})
}

func TestTurningAlertEmailsOffCancelsPendingSteps(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "off@example.com", 0)
	w.settings(t, seller, noQuiet())
	w.oneOpenReturn(t, seller, w.st.Env.Clock.Now().Add(30*time.Hour))
	w.evaluate(t, seller)
	s := noQuiet()
	s.Email = false
	w.settings(t, seller, s)
	w.st.Env.Clock.Advance(29 * time.Hour)
	if rep := w.evaluate(t, seller); rep.Sent != 0 {
		t.Errorf("%d alerts sent with alert emails off", rep.Sent)
	}
	s.Email = true
	w.settings(t, seller, s)
	// On again, 1 hour before the deadline: one alert now, for the latest step passed (not one per step missed).
	if rep := w.evaluate(t, seller); rep.Sent != 1 {
		t.Errorf("%d alerts sent with emails on again; want 1", rep.Sent)
	}
}
