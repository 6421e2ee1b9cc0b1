package sellerhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/redact"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// purposePayload binds a delivery's sealed body to its column.
const purposePayload vault.Purpose = "seller_webhook_deliveries.payload"

// Inserter is what Enqueue needs of the job queue; the client jobs.NewClient builds is one.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// ErrDedupeKey is a dedupe key that cannot be a header value.
var ErrDedupeKey = errors.New("sellerhook: a dedupe key is 1 to 200 printable ASCII characters without spaces")

// Enqueue writes m as a delivery to tx's seller's webhook and inserts the job that posts it, both in tx: they
// commit together or not at all. dedupeKey names the delivery among the seller's (an alert step's own key): a
// second Enqueue with it does nothing. The key and kind are stored in clear and sent as the Idempotency-Key header:
// they must hold nothing secret. The caller checks that the seller has a webhook (Configured); the URL and secret
// are read when the delivery is posted, so a fixed URL or a rotated secret applies to what is still queued.
func Enqueue(ctx context.Context, tx *store.Tx, q Inserter, kind, dedupeKey string, m Message) error {
	if kind == "" || len(dedupeKey) == 0 || len(dedupeKey) > 200 || strings.ContainsFunc(dedupeKey, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return ErrDedupeKey
	}
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("sellerhook: enqueue %s: %w", dedupeKey, err)
	}
	payload, err := tx.Seal(ctx, purposePayload, dedupeKey, body)
	if err != nil {
		return fmt.Errorf("sellerhook: enqueue %s: %w", dedupeKey, err)
	}
	id, err := tx.Q.InsertWebhookDelivery(ctx, tenantdb.InsertWebhookDeliveryParams{UserID: tx.UserID, DedupeKey: dedupeKey,
		Kind: kind, Payload: payload, CreatedAt: tx.Now()})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // enqueued before, with its own job
	}
	if err != nil {
		return fmt.Errorf("sellerhook: enqueue %s: %w", dedupeKey, err)
	}
	if _, err := q.InsertTx(ctx, tx.PgxTx(), DeliverArgs{UserID: tx.UserID, DeliveryID: id}, nil); err != nil {
		return fmt.Errorf("sellerhook: enqueue %s: insert job: %w", dedupeKey, err)
	}
	return nil
}

// DeliverArgs are the arguments of the job that posts one delivery: ids only, since River's rows are not sealed.
type DeliverArgs struct {
	UserID     int64 `json:"user_id"`
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job in River.
func (DeliverArgs) Kind() string { return "seller_webhook_deliver" }

// MaxAttempts bounds the retries: with River's backoff (attempt^4 seconds) the last comes about 80 minutes after
// the first. An alert later than that would arrive after the steps that follow it.
const MaxAttempts = 8

// InsertOpts caps the attempts at MaxAttempts.
func (DeliverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: MaxAttempts} }

// Poster posts one delivery; *Transport is one.
type Poster interface {
	Post(ctx context.Context, rawURL string, headers http.Header, body []byte) (status int, err error)
}

// DeliverWorker posts deliveries. Register it with river.AddWorker wherever mail.SendWorker is.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]

	store  *store.Store
	poster Poster
	clock  clock.Clock
}

// NewDeliverWorker returns a worker that posts through p, signing with the clock's time.
func NewDeliverWorker(st *store.Store, p Poster, clk clock.Clock) *DeliverWorker {
	return &DeliverWorker{store: st, poster: p, clock: clk}
}

// errGone is a delivery that can no longer be made: the seller removed their webhook, or their account.
var errGone = errors.New("sellerhook: the seller has no webhook any more")

// Work posts one delivery unless it was made or given up already. The post happens outside any transaction. A
// failure is recorded on the row and returned, so River retries with backoff; a permanent one cancels the job.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	a := job.Args
	d, done, err := w.load(ctx, a)
	switch {
	case errors.Is(err, ErrNotSet):
		w.record(ctx, a, 0, errGone, true)
		return river.JobCancel(errGone)
	case errors.Is(err, pgx.ErrNoRows), errors.Is(err, store.ErrShredded), errors.Is(err, vault.ErrOpen), errors.Is(err, vault.ErrUnknownKey):
		// The tenant was deleted (its rows cascade, its data key is gone), or the row can never be opened.
		return river.JobCancel(fmt.Errorf("sellerhook: delivery %d of user %d: %w", a.DeliveryID, a.UserID, err))
	case err != nil:
		return err
	case done:
		return nil
	}
	h := http.Header{}
	h.Set(SignatureHeader, Sign(d.secret, w.clock.Now(), d.body))
	h.Set(IdempotencyHeader, d.dedupeKey)
	status, err := w.poster.Post(ctx, d.url, h, d.body)
	if err == nil {
		err = w.store.InTenant(ctx, a.UserID, func(tx *store.Tx) error {
			// Zero rows changed means another attempt marked it first; it was delivered either way.
			_, err := tx.Q.MarkWebhookDelivered(ctx, tenantdb.MarkWebhookDeliveredParams{DeliveredAt: w.clock.Now(),
				LastStatus: int32(status), UserID: a.UserID, ID: a.DeliveryID})
			return err
		})
		if err == nil {
			return nil
		}
	}
	permanent := errors.Is(err, ErrPermanent)
	w.record(ctx, a, status, err, permanent || job.Attempt >= job.MaxAttempts)
	// River keeps the error in river_job, which is not sealed and which every tenant's worker reads.
	err = errors.New(redact.Text(err.Error()))
	if permanent {
		return river.JobCancel(err)
	}
	return err
}

type delivery struct {
	url, secret, dedupeKey string
	body                   []byte
}

func (w *DeliverWorker) load(ctx context.Context, a DeliverArgs) (d delivery, done bool, err error) {
	err = w.store.InTenant(ctx, a.UserID, func(tx *store.Tx) error {
		row, err := tx.Q.GetWebhookDelivery(ctx, tenantdb.GetWebhookDeliveryParams{UserID: a.UserID, ID: a.DeliveryID})
		if err != nil {
			return err
		}
		if row.DeliveredAt != nil || row.FailedAt != nil {
			done = true
			return nil
		}
		hook, err := Get(ctx, tx)
		if err != nil {
			return err
		}
		body, err := tx.Open(ctx, purposePayload, row.DedupeKey, row.Payload)
		if err != nil {
			return err
		}
		d = delivery{url: hook.URL, secret: hook.Secret, dedupeKey: row.DedupeKey, body: body}
		return nil
	})
	return d, done, err
}

// maxErrorLen bounds last_error: it is for the seller reading Settings -> Alerts, not a log.
const maxErrorLen = 300

// record notes a failed attempt on the row, and gives the delivery up when final. It is best effort: when the
// database is what failed, this fails too, and River's own record of the error is what remains.
func (w *DeliverWorker) record(ctx context.Context, a DeliverArgs, status int, cause error, final bool) {
	msg := strings.ReplaceAll(redact.Text(cause.Error()), "sellerhook: ", "")
	if len(msg) > maxErrorLen {
		msg = strings.ToValidUTF8(msg[:maxErrorLen], "")
	}
	var failedAt *time.Time
	if final {
		now := w.clock.Now()
		failedAt = &now
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = w.store.InTenant(ctx, a.UserID, func(tx *store.Tx) error {
		return tx.Q.RecordWebhookFailure(ctx, tenantdb.RecordWebhookFailureParams{LastStatus: int32(status), LastError: msg,
			FailedAt: failedAt, UserID: a.UserID, ID: a.DeliveryID})
	})
}
