package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/redact"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// Outgoing is one mail as a Transport receives it.
type Outgoing struct {
	Message
	// IdempotencyKey is "<user id>/<dedupe key>": the same on every attempt at one mail, so a provider that already
	// accepted it sends nothing the second time.
	IdempotencyKey string
}

// Transport hands a mail to whoever delivers it and returns the provider's id for it. An error wrapping ErrRejected
// is permanent (retrying the same request cannot succeed); any other error is retried. Errors must not quote the
// message or the recipient.
type Transport interface {
	Send(ctx context.Context, out Outgoing) (providerID string, err error)
}

// ErrRejected marks a transport error as permanent: the provider refused this mail as it is.
var ErrRejected = errors.New("mail: rejected by the provider")

// SendArgs are the arguments of the job that sends one outbox row: ids only, since River's rows are not sealed.
type SendArgs struct {
	UserID   int64 `json:"user_id"`
	OutboxID int64 `json:"outbox_id"`
}

// Kind names the job in River.
func (SendArgs) Kind() string { return "mail_send" }

// InsertOpts caps attempts at 12: with River's default backoff (attempt^4 seconds) the last attempt comes about 11
// hours after the first, inside the 24 hours during which Resend remembers an idempotency key. A later retry could
// send the mail twice.
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 12} }

// SendWorker delivers outbox rows. Register it with river.AddWorker on the worker process's client.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]

	store     *store.Store
	transport Transport
	clock     clock.Clock

	// afterSend runs after the provider accepted a mail and before the row is marked sent; tests fail it to play a
	// crash at the one point where only the idempotency key prevents a second email.
	afterSend func() error
}

// NewSendWorker returns a worker that delivers through t.
func NewSendWorker(st *store.Store, t Transport, clk clock.Clock) *SendWorker {
	return &SendWorker{store: st, transport: t, clock: clk}
}

// Work sends one outbox row unless it was already sent. The provider call happens outside any transaction, so no
// connection is held while it waits. A failure is recorded on the row and returned, so River retries with backoff;
// a rejection cancels the job instead.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	a := job.Args
	out, sent, err := w.load(ctx, a)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) || errors.Is(err, store.ErrShredded) ||
			errors.Is(err, vault.ErrOpen) || errors.Is(err, vault.ErrUnknownKey) {
			// The tenant was deleted (its rows cascade, its data key is gone), or the row can never be opened:
			// no retry can send it.
			return river.JobCancel(fmt.Errorf("mail: outbox row %d of user %d: %w", a.OutboxID, a.UserID, err))
		}
		return err
	}
	if sent {
		return nil
	}
	providerID, err := w.transport.Send(ctx, out)
	if err == nil && w.afterSend != nil {
		err = w.afterSend()
	}
	if err == nil {
		err = w.markSent(ctx, a, providerID)
	}
	if err != nil {
		w.recordFailure(ctx, a, err)
		// River keeps the error in river_job, which is not sealed and which every tenant's worker reads.
		err = redactedError{err}
		if errors.Is(err, ErrRejected) {
			return river.JobCancel(err)
		}
		return err
	}
	return nil
}

// redactedError shows its cause through redact.Text and keeps it for errors.Is.
type redactedError struct{ err error }

func (e redactedError) Error() string { return redact.Text(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

func (w *SendWorker) load(ctx context.Context, a SendArgs) (out Outgoing, sent bool, err error) {
	err = w.store.InTenant(ctx, a.UserID, func(tx *store.Tx) error {
		row, err := tx.Q.GetMailOutbox(ctx, tenantdb.GetMailOutboxParams{UserID: a.UserID, ID: a.OutboxID})
		if err != nil {
			return err
		}
		if row.SentAt != nil {
			sent = true
			return nil
		}
		to, err := tx.Open(ctx, purposeRecipient, row.DedupeKey, row.Recipient)
		if err != nil {
			return err
		}
		body, err := tx.Open(ctx, purposeMessage, row.DedupeKey, row.Message)
		if err != nil {
			return err
		}
		var m sealedMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return fmt.Errorf("mail: outbox row %d: message: %w", a.OutboxID, err)
		}
		out = Outgoing{
			Message:        Message{To: string(to), Subject: m.Subject, Text: m.Text, HTML: m.HTML},
			IdempotencyKey: idempotencyKey(a.UserID, row.DedupeKey),
		}
		return nil
	})
	return out, sent, err
}

func (w *SendWorker) markSent(ctx context.Context, a SendArgs, providerID string) error {
	return w.store.InTenant(ctx, a.UserID, func(tx *store.Tx) error {
		// Zero rows changed means another attempt marked it first; the mail went out once either way.
		_, err := tx.Q.MarkMailSent(ctx, tenantdb.MarkMailSentParams{
			SentAt: w.clock.Now(), ProviderMessageID: providerID, UserID: a.UserID, ID: a.OutboxID,
		})
		return err
	})
}

// maxErrorLen bounds last_error: it is for a person reading the row, not a log.
const maxErrorLen = 500

// recordFailure notes the failed attempt on the row. It is best effort: when the database is what failed, this
// fails too, and River's own record of the error is what remains.
func (w *SendWorker) recordFailure(ctx context.Context, a SendArgs, cause error) {
	msg := redact.Text(cause.Error())
	if len(msg) > maxErrorLen {
		msg = strings.ToValidUTF8(msg[:maxErrorLen], "") // a cut rune would make Postgres refuse the text
	}
	// The job's context may be what ended; the note is still worth a moment.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = w.store.InTenant(ctx, a.UserID, func(tx *store.Tx) error {
		return tx.Q.RecordMailFailure(ctx, tenantdb.RecordMailFailureParams{LastError: msg, UserID: a.UserID, ID: a.OutboxID})
	})
}
