package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/profitline/profitline/internal/jobs"
	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/testenv"
)

const (
	apiKey = "re_test_0123456789"
	from   = "Profitline <mail@profitline.test>"
	// secretLink stands for what real mails carry: a link whose token is a credential.
	secretLink = "https://profitline.test/verify?token=s3cr3t-t0k3n-Zq81"
	recipient  = "seller.alice@example.com"
)

// soonRetry retries a failed job 10 ms later instead of River's seconds, so retry tests stay fast.
type soonRetry struct{}

func (soonRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(10 * time.Millisecond) }

// harness is a tenant, a fake Resend and a River client working the default queue as the app role.
type harness struct {
	env    *testenv.Env
	userID int64
	fake   *fakeResend
	client *river.Client[pgx.Tx]
	done   <-chan *river.Event
}

// newHarness starts the worker client unless start is false (for tests of Enqueue alone). configure runs on the
// SendWorker before the client starts.
func newHarness(t *testing.T, start bool, configure func(*mail.SendWorker), script ...int) *harness {
	t.Helper()
	ctx := context.Background()
	env := testenv.New(t)
	userID, err := env.Store.CreateTenant(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	fake := newFakeResend(t, script...)
	transport, err := mail.NewResend(mail.ResendConfig{APIKey: apiKey, From: from, BaseURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	worker := mail.NewSendWorker(env.Store, transport, env.Clock)
	if configure != nil {
		configure(worker)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, worker)
	pool, err := pgxpool.New(ctx, env.DB.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	client, err := jobs.NewClient(pool, workers, jobs.Config{
		Queues:            map[string]int{jobs.QueueDefault: 2},
		Logger:            slog.New(slog.DiscardHandler),
		FetchPollInterval: 20 * time.Millisecond,
		RetryPolicy:       soonRetry{},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{env: env, userID: userID, fake: fake, client: client}
	if !start {
		return h
	}
	done, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobCancelled)
	t.Cleanup(cancel)
	h.done = done
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		if err := client.Stop(stopCtx); err != nil {
			t.Errorf("stop the River client: %v", err)
		}
	})
	return h
}

func verifyMessage(t *testing.T) mail.Message {
	t.Helper()
	m, err := mail.Render(mail.KindVerifyEmail, recipient, mail.VerifyEmail{Link: secretLink})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (h *harness) enqueue(t *testing.T, dedupeKey string, m mail.Message) {
	t.Helper()
	err := h.env.Store.InTenant(context.Background(), h.userID, func(tx *store.Tx) error {
		return mail.Enqueue(context.Background(), tx, h.client, mail.KindVerifyEmail, dedupeKey, m)
	})
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
}

// finished waits for the next job to end (completed or cancelled).
func (h *harness) finished(t *testing.T) *river.Event {
	t.Helper()
	select {
	case ev := <-h.done:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no job finished within 5 s")
		return nil
	}
}

// outboxRow is the row as the owner sees it, past row-level security.
type outboxRow struct {
	id         int64
	sent       bool
	providerID string
	attempts   int
	lastError  string
}

func (h *harness) outbox(t *testing.T) []outboxRow {
	t.Helper()
	rows, err := testenv.Connect(t, h.env.DB.OwnerURL).Query(context.Background(),
		`SELECT id, sent_at IS NOT NULL, coalesce(provider_message_id, ''), attempts, coalesce(last_error, '')
		 FROM mail_outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (outboxRow, error) {
		var o outboxRow
		return o, r.Scan(&o.id, &o.sent, &o.providerID, &o.attempts, &o.lastError)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAMailIsDeliveredOnceThroughARateLimitAndAServerError(t *testing.T) {
	h := newHarness(t, true, nil, 429, 500)
	m := verifyMessage(t)
	h.enqueue(t, "verify-email/1", m)

	if ev := h.finished(t); ev.Kind != river.EventKindJobCompleted || ev.Job.Attempt != 3 {
		t.Fatalf("job ended %s after %d attempts; want completed after 3 (429, 500, 200)", ev.Kind, ev.Job.Attempt)
	}
	requests, deliveries := h.fake.snapshot()
	if len(requests) != 3 || len(deliveries) != 1 {
		t.Fatalf("fake Resend saw %d requests and %d deliveries; want 3 and 1", len(requests), len(deliveries))
	}
	wantKey := strconv.FormatInt(h.userID, 10) + "/verify-email/1"
	for i, r := range requests {
		if r.IdempotencyKey != wantKey || r.Authorization != "Bearer "+apiKey || r.ContentType != "application/json" {
			t.Errorf("request %d: Idempotency-Key %q, Authorization %q, Content-Type %q; want %q, the bearer key, JSON",
				i, r.IdempotencyKey, r.Authorization, r.ContentType, wantKey)
		}
	}
	got := deliveries[0].Body
	if got.From != from || len(got.To) != 1 || got.To[0] != recipient || got.Subject != m.Subject ||
		got.Text != m.Text || got.HTML != m.HTML {
		t.Errorf("delivered %+v; want the rendered message from %q to %q", got, from, recipient)
	}
	rows := h.outbox(t)
	if len(rows) != 1 || !rows[0].sent || rows[0].providerID != "email-1" || rows[0].attempts != 3 || rows[0].lastError != "" {
		t.Fatalf("outbox = %+v; want one row sent as email-1 after 3 attempts, no error left", rows)
	}

	// A stray second job for the same row (say, after a restore) finds it sent and sends nothing.
	if _, err := h.client.Insert(context.Background(), mail.SendArgs{UserID: h.userID, OutboxID: rows[0].id}, nil); err != nil {
		t.Fatal(err)
	}
	if ev := h.finished(t); ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("second job ended %s; want completed", ev.Kind)
	}
	if requests, _ := h.fake.snapshot(); len(requests) != 3 {
		t.Errorf("a job for an already sent mail called the provider (%d requests; want still 3)", len(requests))
	}
}

func TestACrashBetweenSendingAndMarkingSentStillDeliversOneMail(t *testing.T) {
	crashes := 1
	h := newHarness(t, true, func(w *mail.SendWorker) {
		w.SetAfterSend(func() error {
			if crashes > 0 {
				crashes--
				return errors.New("connection lost before marking the mail sent")
			}
			return nil
		})
	})
	h.enqueue(t, "verify-email/1", verifyMessage(t))

	if ev := h.finished(t); ev.Kind != river.EventKindJobCompleted || ev.Job.Attempt != 2 {
		t.Fatalf("job ended %s after %d attempts; want completed after 2", ev.Kind, ev.Job.Attempt)
	}
	requests, deliveries := h.fake.snapshot()
	if len(requests) != 2 || requests[0].IdempotencyKey != requests[1].IdempotencyKey {
		t.Fatalf("fake Resend saw %d requests (%+v); want the same idempotency key twice", len(requests), requests)
	}
	if len(deliveries) != 1 {
		t.Errorf("%d emails delivered; want 1", len(deliveries))
	}
	if rows := h.outbox(t); len(rows) != 1 || !rows[0].sent || rows[0].providerID != "email-1" {
		t.Errorf("outbox = %+v; want one row sent as email-1", rows)
	}
}

func TestARejectedMailIsNotRetried(t *testing.T) {
	h := newHarness(t, true, nil, 422)
	h.enqueue(t, "verify-email/1", verifyMessage(t))

	if ev := h.finished(t); ev.Kind != river.EventKindJobCancelled || ev.Job.Attempt != 1 {
		t.Fatalf("job ended %s after %d attempts; want cancelled after 1", ev.Kind, ev.Job.Attempt)
	}
	rows := h.outbox(t)
	if len(rows) != 1 || rows[0].sent || rows[0].attempts != 1 || !strings.Contains(rows[0].lastError, "validation_error") {
		t.Fatalf("outbox = %+v; want one unsent row, 1 attempt, the provider's error", rows)
	}
	// Resend's message quoted the recipient; neither the row nor River's record of the error may keep it.
	if strings.Contains(rows[0].lastError, recipient) {
		t.Errorf("last_error keeps the recipient: %q", rows[0].lastError)
	}
	var jobErrors string
	if err := testenv.Connect(t, h.env.DB.OwnerURL).QueryRow(context.Background(),
		`SELECT errors::text FROM river.river_job`).Scan(&jobErrors); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(jobErrors, recipient) || !strings.Contains(jobErrors, "validation_error") {
		t.Errorf("river_job.errors = %s; want the provider's error without the recipient", jobErrors)
	}
}

func TestEnqueueTwiceWithOneDedupeKeyMakesOneRowAndOneJob(t *testing.T) {
	h := newHarness(t, false, nil)
	m := verifyMessage(t)
	h.enqueue(t, "verify-email/1", m)
	h.enqueue(t, "verify-email/1", m)

	owner := testenv.Connect(t, h.env.DB.OwnerURL)
	var rows, jobCount int
	if err := owner.QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if err := owner.QueryRow(context.Background(), `SELECT count(*) FROM river.river_job`).Scan(&jobCount); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || jobCount != 1 {
		t.Errorf("two enqueues with one dedupe key made %d outbox rows and %d jobs; want 1 and 1", rows, jobCount)
	}
}

func TestEnqueueRefusesWhatCouldInjectAHeaderOrRecipient(t *testing.T) {
	h := newHarness(t, false, nil)
	good := verifyMessage(t)
	with := func(f func(*mail.Message)) mail.Message { m := good; f(&m); return m }
	for _, tt := range []struct {
		name string
		m    mail.Message
		want error
	}{
		{"LF in subject", with(func(m *mail.Message) { m.Subject = "Hi\nBcc: victim@example.com" }), mail.ErrHeaderInjection},
		{"CR LF in subject", with(func(m *mail.Message) { m.Subject = "Hi\r\nBcc: victim@example.com" }), mail.ErrHeaderInjection},
		{"CR in recipient", with(func(m *mail.Message) { m.To = "a@example.com\rBcc: victim@example.com" }), mail.ErrHeaderInjection},
		{"two recipients", with(func(m *mail.Message) { m.To = "a@example.com, b@example.com" }), mail.ErrRecipient},
		{"display name", with(func(m *mail.Message) { m.To = "Eve <a@example.com>" }), mail.ErrRecipient},
		{"not an address", with(func(m *mail.Message) { m.To = "not-an-address" }), mail.ErrRecipient},
		{"no subject", with(func(m *mail.Message) { m.Subject = "" }), mail.ErrIncomplete},
		{"no text body", with(func(m *mail.Message) { m.Text = "" }), mail.ErrIncomplete},
	} {
		err := h.env.Store.InTenant(context.Background(), h.userID, func(tx *store.Tx) error {
			return mail.Enqueue(context.Background(), tx, h.client, mail.KindVerifyEmail, "verify-email/1", tt.m)
		})
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Enqueue = %v; want %v", tt.name, err, tt.want)
		}
	}
	for _, key := range []string{"", "has space", "line\nbreak", strings.Repeat("k", 201)} {
		err := h.env.Store.InTenant(context.Background(), h.userID, func(tx *store.Tx) error {
			return mail.Enqueue(context.Background(), tx, h.client, mail.KindVerifyEmail, key, good)
		})
		if !errors.Is(err, mail.ErrDedupeKey) {
			t.Errorf("dedupe key %q: Enqueue = %v; want ErrDedupeKey", key, err)
		}
	}
	if rows := h.outbox(t); len(rows) != 0 {
		t.Errorf("refused messages left %d outbox rows", len(rows))
	}
}

func TestTheOutboxAndTheJobHoldNoPlaintext(t *testing.T) {
	h := newHarness(t, false, nil)
	m := verifyMessage(t)
	h.enqueue(t, "verify-email/1", m)

	owner := testenv.Connect(t, h.env.DB.OwnerURL)
	var rowText string
	var sealedTo, sealedMessage []byte
	err := owner.QueryRow(context.Background(), `SELECT o::text, recipient, message FROM mail_outbox o`).
		Scan(&rowText, &sealedTo, &sealedMessage)
	if err != nil {
		t.Fatal(err)
	}
	var args string
	if err := owner.QueryRow(context.Background(), `SELECT args::text FROM river.river_job`).Scan(&args); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{secretLink, "s3cr3t-t0k3n-Zq81", recipient, m.Subject, "Please confirm"} {
		for where, b := range map[string][]byte{
			"the row": []byte(rowText), "the sealed recipient": sealedTo, "the sealed message": sealedMessage,
			"the job's arguments": []byte(args),
		} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds %q in clear", where, secret)
			}
		}
	}
	if !strings.Contains(args, `"user_id"`) || !strings.Contains(args, `"outbox_id"`) {
		t.Errorf("job arguments = %s; want the user id and outbox id", args)
	}
}

func TestAnotherSellerCannotSeeTheOutbox(t *testing.T) {
	h := newHarness(t, false, nil)
	h.enqueue(t, "verify-email/1", verifyMessage(t))
	alicesRow := h.outbox(t)[0].id
	ctx := context.Background()
	bob, err := h.env.Store.CreateTenant(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = h.env.Store.InTenant(ctx, bob, func(tx *store.Tx) error {
		// Even naming Alice's user id and row, Bob's transaction finds nothing.
		if _, err := tx.Q.GetMailOutbox(ctx, tenantdb.GetMailOutboxParams{UserID: h.userID, ID: alicesRow}); !errors.Is(err, pgx.ErrNoRows) {
			t.Errorf("bob reading alice's outbox row: err = %v; want no rows", err)
		}
		var n int
		if err := tx.PgxTx().QueryRow(ctx, `SELECT count(*) FROM mail_outbox`).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("bob's transaction counts %d outbox rows; want 0", n)
		}
		// The same dedupe key is Bob's own to use: the key is unique per tenant, not globally.
		return mail.Enqueue(ctx, tx, h.client, mail.KindVerifyEmail, "verify-email/1", verifyMessage(t))
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows := h.outbox(t); len(rows) != 2 {
		t.Errorf("outbox has %d rows; want alice's and bob's", len(rows))
	}
}
