// Package mail sends Profitline's email through an outbox. Enqueue writes the mail, sealed with the tenant's data
// key, and the River job that sends it in the caller's tenant transaction: the mail exists exactly when the change
// that caused it commits, and a second Enqueue with the same dedupe key is a no-op. SendWorker then delivers it
// through a Transport (Resend in production, Dev on a developer machine) with an idempotency key that is the same
// on every attempt, so retries and a crash between "the provider accepted" and "marked sent" still yield one email.
//
// It must never put a recipient, subject, body or link anywhere in clear: not in the outbox row, not in job
// arguments, not in logs or errors. Links in mails carry secrets.
package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	netmail "net/mail"
	"strconv"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// Message is one email to one recipient.
type Message struct {
	To      string // a bare address, e.g. seller@example.com
	Subject string
	Text    string // the plain-text body; required
	HTML    string // the HTML body; optional
}

// Errors from Message.Validate and Enqueue; test with errors.Is. They never quote the offending value.
var (
	ErrHeaderInjection = errors.New("mail: control character (such as CR or LF) in the recipient or subject")
	ErrRecipient       = errors.New("mail: the recipient must be exactly one bare email address")
	ErrIncomplete      = errors.New("mail: a message needs a subject and a plain-text body")
	ErrDedupeKey       = errors.New("mail: a dedupe key is 1 to 200 printable ASCII characters without spaces")
)

// Validate checks that m can be sent as it is: nothing in it can add a header or a recipient.
func (m Message) Validate() error {
	if hasControl(m.To) || hasControl(m.Subject) {
		return ErrHeaderInjection
	}
	addr, err := netmail.ParseAddress(m.To)
	// Only a bare address: a display name or a list would let the caller's data shape the To header.
	if err != nil || addr.Name != "" || addr.Address != m.To {
		return ErrRecipient
	}
	if m.Subject == "" || m.Text == "" {
		return ErrIncomplete
	}
	return nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// validDedupeKey keeps the key usable in an HTTP header (it is part of the idempotency key) and within Resend's
// 256-character limit once the user id is prefixed.
func validDedupeKey(k string) bool {
	if len(k) == 0 || len(k) > 200 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] <= ' ' || k[i] > '~' {
			return false
		}
	}
	return true
}

// What the outbox row's sealed columns hold; the purposes bind each ciphertext to its column.
const (
	purposeRecipient vault.Purpose = "mail_outbox.recipient"
	purposeMessage   vault.Purpose = "mail_outbox.message"
)

type sealedMessage struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
}

// Inserter is what Enqueue needs of the job queue; the client jobs.NewClient builds is one.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Enqueue writes m to tx's tenant's outbox and inserts the job that sends it, both in tx: they commit together or
// not at all. kind says what the mail is (e.g. KindVerifyEmail). dedupeKey names this particular mail among the
// tenant's (e.g. "verify-email/3"): a second Enqueue with the same key does nothing, so the reader gets one email
// however often the cause is retried. The dedupe key and kind are stored in clear and sent to the provider: they
// must hold nothing secret.
func Enqueue(ctx context.Context, tx *store.Tx, q Inserter, kind, dedupeKey string, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if !validDedupeKey(dedupeKey) {
		return ErrDedupeKey
	}
	if kind == "" {
		return errors.New("mail: enqueue: no kind")
	}
	recipient, err := tx.Seal(ctx, purposeRecipient, dedupeKey, []byte(m.To))
	if err != nil {
		return fmt.Errorf("mail: enqueue %s: %w", dedupeKey, err)
	}
	body, err := json.Marshal(sealedMessage{Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	if err != nil {
		return fmt.Errorf("mail: enqueue %s: %w", dedupeKey, err)
	}
	message, err := tx.Seal(ctx, purposeMessage, dedupeKey, body)
	if err != nil {
		return fmt.Errorf("mail: enqueue %s: %w", dedupeKey, err)
	}
	id, err := tx.Q.InsertMailOutbox(ctx, tenantdb.InsertMailOutboxParams{
		UserID: tx.UserID, DedupeKey: dedupeKey, Kind: kind, Recipient: recipient, Message: message,
		CreatedAt: tx.Now(),
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // already enqueued, with its own job
	}
	if err != nil {
		return fmt.Errorf("mail: enqueue %s: %w", dedupeKey, err)
	}
	if _, err := q.InsertTx(ctx, tx.PgxTx(), SendArgs{UserID: tx.UserID, OutboxID: id}, nil); err != nil {
		return fmt.Errorf("mail: enqueue %s: insert job: %w", dedupeKey, err)
	}
	return nil
}

// idempotencyKey is the same for every attempt at one outbox row, and differs between rows and tenants.
func idempotencyKey(userID int64, dedupeKey string) string {
	return strconv.FormatInt(userID, 10) + "/" + dedupeKey
}
