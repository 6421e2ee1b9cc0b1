package mail

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/profitline/profitline/internal/clock"
)

// devKeep is how many messages Dev remembers.
const devKeep = 100

// DevMessage is a mail Dev received.
type DevMessage struct {
	ID             string
	IdempotencyKey string
	At             time.Time
	Message
}

// Dev is the transport for a developer machine: it sends nothing, keeps the last 100 messages in memory for a dev
// page, and logs one line per message with the recipient and subject only (the body holds links with secrets). Like
// Resend, it answers a repeated idempotency key with the first answer. It is safe for concurrent use.
type Dev struct {
	log   *slog.Logger
	clock clock.Clock

	mu   sync.Mutex
	seq  int
	kept []DevMessage // oldest first
}

// NewDev returns an empty Dev transport.
func NewDev(log *slog.Logger, clk clock.Clock) *Dev {
	return &Dev{log: log, clock: clk}
}

// Send keeps out and logs its recipient and subject.
func (d *Dev) Send(ctx context.Context, out Outgoing) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, m := range d.kept {
		if m.IdempotencyKey == out.IdempotencyKey {
			return m.ID, nil
		}
	}
	d.seq++
	m := DevMessage{ID: "dev-" + strconv.Itoa(d.seq), IdempotencyKey: out.IdempotencyKey, At: d.clock.Now(), Message: out.Message}
	d.kept = append(d.kept, m)
	if len(d.kept) > devKeep {
		d.kept = slices.Delete(d.kept, 0, len(d.kept)-devKeep)
	}
	d.log.InfoContext(ctx, "mail (dev, not sent)", "id", m.ID, "to", out.To, "subject", out.Subject)
	return m.ID, nil
}

// Messages returns the kept messages, newest first.
func (d *Dev) Messages() []DevMessage {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := slices.Clone(d.kept)
	slices.Reverse(out)
	return out
}
