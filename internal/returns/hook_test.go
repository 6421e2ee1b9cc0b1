package returns_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/profitline/profitline/internal/jobs"
	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/returns"
	"github.com/profitline/profitline/internal/sellerhook"
	"github.com/profitline/profitline/internal/store"
)

// endpoint plays a seller's webhook endpoint: it answers the scripted statuses first, then 200, and keeps every
// request it was sent.
type endpoint struct {
	URL string

	mu       sync.Mutex
	script   []int
	received []hookRequest
}

type hookRequest struct {
	status     int
	signature  string
	idempotent string
	body       []byte
}

func newEndpoint(t *testing.T, script ...int) *endpoint {
	e := &endpoint{script: script}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		defer e.mu.Unlock()
		status := http.StatusOK
		if len(e.script) > 0 {
			status, e.script = e.script[0], e.script[1:]
		}
		e.received = append(e.received, hookRequest{status: status, signature: r.Header.Get(sellerhook.SignatureHeader),
			idempotent: r.Header.Get(sellerhook.IdempotencyHeader), body: body})
		w.WriteHeader(status)
		io.WriteString(w, http.StatusText(status))
	}))
	t.Cleanup(srv.Close)
	e.URL = srv.URL + "/hooks/T000/secret-path"
	return e
}

func (e *endpoint) requests() []hookRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]hookRequest(nil), e.received...)
}

// soonRetry retries a failed job 10 ms later instead of River's seconds.
type soonRetry struct{}

func (soonRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(10 * time.Millisecond) }

// workers replaces the stack's queue (which knows only mail) with a client per process asked for, each working
// mail through transport and webhooks through poster, and returns the first: the inserter evaluations use.
func (w *world) workers(t *testing.T, transport mail.Transport, poster sellerhook.Poster, processes int) *river.Client[pgx.Tx] {
	t.Helper()
	ctx := context.Background()
	stack, ok := w.st.Queue.(*river.Client[pgx.Tx])
	if !ok {
		t.Fatalf("the stack's queue is a %T", w.st.Queue)
	}
	if err := stack.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	var first *river.Client[pgx.Tx]
	for range processes {
		pool, err := pgxpool.New(ctx, w.st.Env.DB.AppURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		workers := river.NewWorkers()
		river.AddWorker(workers, mail.NewSendWorker(w.st.Env.Store, transport, w.st.Env.Clock))
		river.AddWorker(workers, sellerhook.NewDeliverWorker(w.st.Env.Store, poster, w.st.Env.Clock))
		client, err := jobs.NewClient(pool, workers, jobs.Config{Queues: map[string]int{jobs.QueueDefault: 2},
			Logger: slog.New(slog.DiscardHandler), FetchPollInterval: 20 * time.Millisecond, RetryPolicy: soonRetry{}})
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = client.StopAndCancel(context.Background()) })
		if first == nil {
			first = client
		}
	}
	return first
}

// localPoster reaches the test's endpoints on 127.0.0.1, as development's configuration allows.
func localPoster() *sellerhook.Transport {
	return sellerhook.NewTransport(sellerhook.TransportOptions{AllowPrivate: true})
}

func (w *world) evaluateWith(t *testing.T, q mail.Inserter, userID int64) returns.Report {
	t.Helper()
	var rep returns.Report
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		rep, err = returns.Evaluate(ctx, tx, q, links, w.st.Env.Clock.Now())
		return err
	})
	return rep
}

// setWebhook points the seller's webhook at url, as Settings -> Alerts saves it in development.
func (w *world) setWebhook(t *testing.T, userID int64, url string) sellerhook.Webhook {
	t.Helper()
	var h sellerhook.Webhook
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		h, err = sellerhook.Set(ctx, tx, url, true)
		return err
	})
	return h
}

// shownSecret is the signing secret Settings -> Alerts shows the seller.
func (w *world) shownSecret(t *testing.T, userID int64) string {
	t.Helper()
	var secret string
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		h, err := sellerhook.Get(ctx, tx)
		secret = h.Secret
		return err
	})
	return secret
}

func (w *world) deliveries(t *testing.T, userID int64) []sellerhook.Delivery {
	t.Helper()
	var out []sellerhook.Delivery
	w.tenant(t, userID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		out, err = sellerhook.Recent(ctx, tx, 1000)
		return err
	})
	return out
}

// settled waits until every delivery of the seller is delivered or given up, and returns them.
func (w *world) settled(t *testing.T, userID int64, want int) []sellerhook.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds := w.deliveries(t, userID)
		open := 0
		for _, d := range ds {
			if d.DeliveredAt == nil && d.FailedAt == nil {
				open++
			}
		}
		if len(ds) >= want && open == 0 {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries did not settle: %+v (want %d)", ds, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hookSeller is a seller of the sandbox's first shop, without quiet hours, whose webhook is an endpoint answering
// script.
func (w *world) hookSeller(t *testing.T, email string, script ...int) (int64, *endpoint) {
	t.Helper()
	seller := w.seller(t, email, 0)
	w.settings(t, seller, noQuiet())
	ep := newEndpoint(t, script...)
	w.setWebhook(t, seller, ep.URL)
	return seller, ep
}

func TestADueStepDeliversOneSignedWebhook(t *testing.T) {
	w := newWorld(t)
	seller, ep := w.hookSeller(t, "hook@example.com")
	q := w.workers(t, w.st.Outbox, localPoster(), 1)
	deadline := w.st.Env.Clock.Now().Add(30 * time.Minute)
	key := w.oneOpenReturn(t, seller, deadline)

	if rep := w.evaluateWith(t, q, seller); rep.Sent != 1 {
		t.Fatalf("sent %d steps; want 1 (the last, at once)", rep.Sent)
	}
	w.settled(t, seller, 1)
	w.evaluateWith(t, q, seller) // nothing more is due
	got := ep.requests()
	if len(got) != 1 {
		t.Fatalf("the endpoint received %d requests; want 1", len(got))
	}
	r := got[0]
	if err := sellerhook.Verify(w.shownSecret(t, seller), r.signature, r.body, w.st.Env.Clock.Now(), 5*time.Minute); err != nil {
		t.Errorf("the signature %q does not verify with the secret shown in settings: %v", r.signature, err)
	}
	if err := sellerhook.Verify("plwhsec_another", r.signature, r.body, w.st.Env.Clock.Now(), 5*time.Minute); err == nil {
		t.Error("the signature verifies with another secret")
	}
	shop, ret, _ := strings.Cut(key, "/")
	wantKey := returns.DedupeKey(returns.Deadline{ShopID: shop, ReturnID: ret, At: deadline}, time.Hour)
	if r.idempotent != wantKey {
		t.Errorf("Idempotency-Key %q; want the step's dedupe key %q", r.idempotent, wantKey)
	}
	var body struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
		Alert  returns.HookAlert `json:"profitline"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("the body is not JSON: %v\n%s", err, r.body)
	}
	a := body.Alert
	if a.Event != returns.EventDeadlineAlert || a.ShopID != shop || a.ReturnID != ret || a.OrderID == "" ||
		!a.Deadline.Equal(deadline) || a.SecondsLeft != 30*60 || !a.Final || a.Refund.Currency == "" {
		t.Errorf("the alert's data is %+v", a)
	}
	for _, want := range []string{a.OrderID, "30 min left", "Last call", "return_id=" + ret} {
		if !strings.Contains(body.Text, want) {
			t.Errorf("the text %q does not say %q", body.Text, want)
		}
	}
	if len(body.Blocks) == 0 || !strings.Contains(string(r.body), "https://app.example.com/returns") ||
		!strings.Contains(a.SellerURL, "return_id="+ret) {
		t.Errorf("the body lacks its blocks or links:\n%s", r.body)
	}
	// No buyer data, and not the one-click settings link (a credential a shared channel must not see).
	for _, never := range []string{"@", returns.SettingsPath, "buyer"} {
		if strings.Contains(string(r.body), never) {
			t.Errorf("the body contains %q:\n%s", never, r.body)
		}
	}
	if m := w.alertMails(t, seller); len(m) != 1 {
		t.Errorf("alert mails %v; want the step's email too", m)
	}
}

func TestAFailingWebhookIsRetriedAndDeliversOnce(t *testing.T) {
	w := newWorld(t)
	seller, ep := w.hookSeller(t, "hook-retry@example.com", http.StatusInternalServerError, http.StatusTooManyRequests)
	q := w.workers(t, w.st.Outbox, localPoster(), 1)
	w.oneOpenReturn(t, seller, w.st.Env.Clock.Now().Add(30*time.Minute))
	w.evaluateWith(t, q, seller)

	ds := w.settled(t, seller, 1)
	if len(ds) != 1 || ds[0].DeliveredAt == nil || ds[0].Attempts != 3 || ds[0].LastStatus != 200 {
		t.Fatalf("deliveries %+v; want one, delivered on the third attempt", ds)
	}
	got := ep.requests()
	if len(got) != 3 || got[2].status != 200 {
		t.Fatalf("the endpoint received %d requests; want 500, 429, then 200", len(got))
	}
	for _, r := range got[1:] {
		if r.idempotent != got[0].idempotent || string(r.body) != string(got[0].body) {
			t.Error("a retry changed the body or the idempotency key")
		}
	}
}

func TestARejectedWebhookIsNotRetried(t *testing.T) {
	w := newWorld(t)
	seller, ep := w.hookSeller(t, "hook-4xx@example.com", http.StatusNotFound)
	q := w.workers(t, w.st.Outbox, localPoster(), 1)
	w.oneOpenReturn(t, seller, w.st.Env.Clock.Now().Add(30*time.Minute))
	w.evaluateWith(t, q, seller)

	ds := w.settled(t, seller, 1)
	time.Sleep(200 * time.Millisecond) // time enough for a retry that should not come
	if len(ds) != 1 || ds[0].FailedAt == nil || ds[0].Attempts != 1 || ds[0].LastStatus != 404 || !strings.Contains(ds[0].LastError, "404") {
		t.Fatalf("deliveries %+v; want one, given up after one attempt with the 404", ds)
	}
	if strings.Contains(ds[0].LastError, "secret-path") {
		t.Errorf("the stored error quotes the webhook's URL: %q", ds[0].LastError)
	}
	if n := len(ep.requests()); n != 1 {
		t.Errorf("the endpoint received %d requests; want 1", n)
	}
}

func TestTwoWorkersAndReEvaluationsDeliverOneWebhookPerStep(t *testing.T) {
	w := newWorld(t)
	seller, ep := w.hookSeller(t, "hook-twice@example.com")
	q := w.workers(t, w.st.Outbox, localPoster(), 2)
	if len(w.openDeadlines(t, seller)) == 0 {
		t.Fatal("no open return")
	}
	for range 30 {
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				err := w.st.Env.Store.InTenant(context.Background(), seller, func(tx *store.Tx) error {
					_, err := returns.Evaluate(context.Background(), tx, q, links, w.st.Env.Clock.Now())
					return err
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		w.st.Env.Clock.Advance(2 * time.Hour)
	}
	sent := 0
	for _, st := range w.steps(t, seller) {
		if st.state == "sent" {
			sent++
		}
	}
	w.settled(t, seller, sent)
	keys := map[string]int{}
	for _, r := range ep.requests() {
		keys[r.idempotent]++
	}
	if sent == 0 || len(keys) != sent {
		t.Errorf("the endpoint received %d distinct deliveries for %d steps sent", len(keys), sent)
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("the endpoint received %s %d times", k, n)
		}
	}
}

func TestAPrivateAddressIsRefusedWhenDeliveringUnlessAllowed(t *testing.T) {
	w := newWorld(t)
	// Saved where private addresses were allowed; the workers' configuration (production's) does not allow them.
	seller, ep := w.hookSeller(t, "hook-private@example.com")
	q := w.workers(t, w.st.Outbox, sellerhook.NewTransport(sellerhook.TransportOptions{}), 1)
	w.oneOpenReturn(t, seller, w.st.Env.Clock.Now().Add(30*time.Minute))
	w.evaluateWith(t, q, seller)

	ds := w.settled(t, seller, 1)
	if len(ds) != 1 || ds[0].FailedAt == nil || ds[0].Attempts != 1 || !strings.Contains(ds[0].LastError, "private or local") {
		t.Fatalf("deliveries %+v; want one, refused at once", ds)
	}
	if n := len(ep.requests()); n != 0 {
		t.Errorf("the endpoint on 127.0.0.1 received %d requests", n)
	}
}

func TestSellerBsWebhookNeverReceivesSellerAsAlerts(t *testing.T) {
	w := newWorld(t)
	a := w.seller(t, "hook-a@example.com", 1)
	b := w.seller(t, "hook-b@example.com", 0)
	shopA, shopB := w.tt.Sandbox.Shops()[1].ID, w.tt.Sandbox.Shops()[0].ID
	epA, epB := newEndpoint(t), newEndpoint(t)
	w.settings(t, a, noQuiet())
	w.settings(t, b, noQuiet())
	w.setWebhook(t, a, epA.URL)
	w.setWebhook(t, b, epB.URL)
	q := w.workers(t, w.st.Outbox, localPoster(), 1)
	for range 20 {
		w.evaluateWith(t, q, a)
		w.evaluateWith(t, q, b)
		w.st.Env.Clock.Advance(4 * time.Hour)
	}
	w.settled(t, a, 0)
	w.settled(t, b, 1)
	for _, c := range []struct {
		ep         *endpoint
		seller     int64
		own, other string
	}{{epA, a, shopA, shopB}, {epB, b, shopB, shopA}} {
		secret := w.shownSecret(t, c.seller)
		for _, r := range c.ep.requests() {
			if !strings.HasPrefix(r.idempotent, "return-alert/"+c.own+"/") || strings.Contains(string(r.body), c.other) {
				t.Errorf("seller %d's endpoint received %s", c.seller, r.idempotent)
			}
			if err := sellerhook.Verify(secret, r.signature, r.body, w.st.Env.Clock.Now(), 100*time.Hour); err != nil {
				t.Errorf("seller %d's endpoint received a delivery not signed with their secret", c.seller)
			}
		}
	}
	if len(epB.requests()) == 0 {
		t.Error("seller B's endpoint received nothing")
	}
}

func TestWithEmailsOffTheWebhookAloneStillAlerts(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "hook-only@example.com", 0)
	s := noQuiet()
	s.Email = false
	w.settings(t, seller, s)
	ep := newEndpoint(t)
	q := w.workers(t, w.st.Outbox, localPoster(), 1)
	w.oneOpenReturn(t, seller, w.st.Env.Clock.Now().Add(30*time.Hour))
	if rep := w.evaluateWith(t, q, seller); rep.Planned != 0 {
		t.Fatalf("planned %d steps with emails off and no webhook", rep.Planned)
	}
	w.setWebhook(t, seller, ep.URL)
	if rep := w.evaluateWith(t, q, seller); rep.Planned != 4 {
		t.Fatalf("planned %d steps with a webhook; want the 4 of the ladder", rep.Planned)
	}
	w.st.Env.Clock.Advance(6 * time.Hour)
	if rep := w.evaluateWith(t, q, seller); rep.Sent != 1 {
		t.Fatalf("sent %d steps at the 24 h step; want 1", rep.Sent)
	}
	w.settled(t, seller, 1)
	if n := len(ep.requests()); n != 1 {
		t.Errorf("the endpoint received %d requests; want 1", n)
	}
	if m := w.alertMails(t, seller); len(m) != 0 {
		t.Errorf("alert mails %v with alert emails off", m)
	}
	// Removing the webhook with emails off cancels what is pending.
	w.tenant(t, seller, func(ctx context.Context, tx *store.Tx) error { return sellerhook.Remove(ctx, tx) })
	if rep := w.evaluateWith(t, q, seller); rep.Cancelled != 3 {
		t.Errorf("cancelled %d steps with no channel left; want the 3 pending", rep.Cancelled)
	}
}

// crashOnce forwards to a real transport, and the first time the provider accepts a mail fails as a process that
// died before marking it sent would.
type crashOnce struct {
	mail.Transport
	mu      sync.Mutex
	crashed bool
}

func (c *crashOnce) Send(ctx context.Context, out mail.Outgoing) (string, error) {
	id, err := c.Transport.Send(ctx, out)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil && !c.crashed {
		c.crashed = true
		return "", errors.New("the worker died before marking the mail sent")
	}
	return id, err
}

// provider plays Resend's POST /emails as far as idempotency goes: a repeated Idempotency-Key is answered with the
// first answer and sends nothing.
type provider struct {
	mu   sync.Mutex
	keys []string          // every request's key, in order
	sent map[string]string // key -> email id: what went out
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m struct {
		To      []string `json:"to"`
		Subject string   `json:"subject"`
	}
	if r.URL.Path != "/emails" || json.NewDecoder(r.Body).Decode(&m) != nil || len(m.To) != 1 || m.Subject == "" {
		http.Error(w, `{"name":"validation_error"}`, http.StatusUnprocessableEntity)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys = append(p.keys, key)
	if _, ok := p.sent[key]; !ok {
		p.sent[key] = "email-" + key
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"id": p.sent[key]})
}

func TestACrashBetweenTheProviderAndMarkedSentStillYieldsOneAlertEmail(t *testing.T) {
	w := newWorld(t)
	seller := w.seller(t, "crash@example.com", 0)
	w.settings(t, seller, noQuiet())
	fake := &provider{sent: map[string]string{}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	resend, err := mail.NewResend(mail.ResendConfig{APIKey: "re_test_key", From: "Profitline <mail@profitline.test>", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	q := w.workers(t, &crashOnce{Transport: resend}, localPoster(), 1)
	w.oneOpenReturn(t, seller, w.st.Env.Clock.Now().Add(30*time.Minute))
	if rep := w.evaluateWith(t, q, seller); rep.Sent != 1 {
		t.Fatalf("sent %d steps; want 1", rep.Sent)
	}

	var sentAt *time.Time
	deadline := time.Now().Add(10 * time.Second)
	for sentAt == nil && time.Now().Before(deadline) {
		w.tenant(t, seller, func(ctx context.Context, tx *store.Tx) error {
			return tx.PgxTx().QueryRow(ctx, `SELECT sent_at FROM mail_outbox WHERE user_id = $1 AND kind = $2`,
				seller, returns.KindDeadlineAlert).Scan(&sentAt)
		})
		time.Sleep(20 * time.Millisecond)
	}
	if sentAt == nil {
		t.Fatal("the alert email was never marked sent")
	}
	fake.mu.Lock()
	keys, sent := append([]string(nil), fake.keys...), len(fake.sent)
	fake.mu.Unlock()
	if len(keys) != 2 || keys[0] != keys[1] || !strings.Contains(keys[0], "/return-alert/") {
		t.Errorf("the provider saw the keys %v; want one alert's key twice", keys)
	}
	if sent != 1 {
		t.Errorf("the provider sent %d emails; want 1", sent)
	}
	w.evaluateWith(t, q, seller)
	sentSteps := 0
	for _, st := range w.steps(t, seller) {
		if st.state == "sent" {
			sentSteps++
		}
	}
	if m := w.alertMails(t, seller); sentSteps != 1 || len(m) != 1 {
		t.Errorf("%d steps sent and %d alert mails; want 1 and 1", sentSteps, len(m))
	}
}
