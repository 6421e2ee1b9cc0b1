// Package sellerhook is a seller's outgoing webhook: a URL of theirs (a Slack incoming webhook, say) that receives
// Profitline's alerts as Slack-compatible JSON, signed with a secret of theirs (Sign, Verify). The URL and the
// secret are sealed with the seller's data key. Enqueue writes a delivery, sealed, and the River job that sends it
// in the caller's tenant transaction; DeliverWorker posts it through a Transport that refuses private addresses,
// follows no redirect and retries with backoff what may succeed later.
//
// It must never dial an address the Transport's policy refuses, follow a redirect, put the URL (a Slack URL is a
// credential), the secret or the body in job arguments, logs or stored errors, or send a buyer's data.
package sellerhook

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// Webhook is a seller's endpoint and the secret that signs what it receives.
type Webhook struct {
	URL       string
	Secret    string // the HMAC key of the Profitline-Signature header, as the seller copies it
	UpdatedAt time.Time
}

// What the seller_webhooks row's sealed columns hold; the purposes bind each ciphertext to its column.
const (
	purposeURL    vault.Purpose = "seller_webhooks.url"
	purposeSecret vault.Purpose = "seller_webhooks.secret"
)

// ErrNotSet means the seller has no webhook.
var ErrNotSet = errors.New("sellerhook: no webhook set")

// Get opens tx's seller's webhook; ErrNotSet when there is none.
func Get(ctx context.Context, tx *store.Tx) (Webhook, error) {
	row, err := tx.Q.GetSellerWebhook(ctx, tx.UserID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Webhook{}, ErrNotSet
	}
	if err != nil {
		return Webhook{}, fmt.Errorf("sellerhook: read the webhook: %w", err)
	}
	u, err := tx.Open(ctx, purposeURL, "", row.Url)
	if err != nil {
		return Webhook{}, fmt.Errorf("sellerhook: open the webhook's URL: %w", err)
	}
	secret, err := tx.Open(ctx, purposeSecret, "", row.Secret)
	if err != nil {
		return Webhook{}, fmt.Errorf("sellerhook: open the webhook's secret: %w", err)
	}
	return Webhook{URL: string(u), Secret: string(secret), UpdatedAt: row.UpdatedAt}, nil
}

// Configured reports whether tx's seller has a webhook, without opening it.
func Configured(ctx context.Context, tx *store.Tx) (bool, error) {
	_, err := tx.Q.GetSellerWebhook(ctx, tx.UserID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sellerhook: read the webhook: %w", err)
	}
	return true, nil
}

// Set stores rawURL as tx's seller's webhook after ValidateURL. The secret stays as it was; a first webhook gets a
// new one.
func Set(ctx context.Context, tx *store.Tx, rawURL string, allowPrivate bool) (Webhook, error) {
	u, err := ValidateURL(rawURL, allowPrivate)
	if err != nil {
		return Webhook{}, err
	}
	h, err := Get(ctx, tx)
	switch {
	case errors.Is(err, ErrNotSet):
		if h.Secret, err = NewSecret(); err != nil {
			return Webhook{}, err
		}
	case err != nil:
		return Webhook{}, err
	}
	h.URL = u
	return h, save(ctx, tx, h)
}

// RotateSecret gives tx's seller's webhook a new secret: what is sent from now on is signed with it.
func RotateSecret(ctx context.Context, tx *store.Tx) (Webhook, error) {
	h, err := Get(ctx, tx)
	if err != nil {
		return Webhook{}, err
	}
	if h.Secret, err = NewSecret(); err != nil {
		return Webhook{}, err
	}
	return h, save(ctx, tx, h)
}

// Remove deletes tx's seller's webhook; deliveries still queued then give up.
func Remove(ctx context.Context, tx *store.Tx) error {
	if _, err := tx.Q.DeleteSellerWebhook(ctx, tx.UserID); err != nil {
		return fmt.Errorf("sellerhook: remove the webhook: %w", err)
	}
	return nil
}

func save(ctx context.Context, tx *store.Tx, h Webhook) error {
	u, err := tx.Seal(ctx, purposeURL, "", []byte(h.URL))
	if err != nil {
		return fmt.Errorf("sellerhook: seal the webhook's URL: %w", err)
	}
	secret, err := tx.Seal(ctx, purposeSecret, "", []byte(h.Secret))
	if err != nil {
		return fmt.Errorf("sellerhook: seal the webhook's secret: %w", err)
	}
	if err := tx.Q.SaveSellerWebhook(ctx, tenantdb.SaveSellerWebhookParams{UserID: tx.UserID, Url: u, Secret: secret, Now: tx.Now()}); err != nil {
		return fmt.Errorf("sellerhook: save the webhook: %w", err)
	}
	return nil
}

// secretPrefix makes a secret recognisable where it is pasted (and to secret scanners).
const secretPrefix = "plwhsec_"

// NewSecret is a signing secret: 32 bytes from crypto/rand, URL-safe base64, after secretPrefix.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("sellerhook: new secret: %w", err)
	}
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// MaxURLLen bounds a webhook URL.
const MaxURLLen = 2000

// Errors of ValidateURL, worded for the seller; test with errors.Is.
var (
	ErrURLEmpty     = errors.New("enter the address of your webhook, such as https://hooks.slack.com/services/…")
	ErrURLTooLong   = fmt.Errorf("the address is longer than %d characters", MaxURLLen)
	ErrURLSyntax    = errors.New("this is not a web address (it should look like https://example.com/hook)")
	ErrURLScheme    = errors.New("the address must start with https:// (webhooks are sent encrypted only)")
	ErrURLNoHost    = errors.New("the address has no host name after https://")
	ErrURLUserInfo  = errors.New("the address must not contain a user name or password before the host (put a token in the path or query instead)")
	ErrURLFragment  = errors.New("the address must not contain a # part (it is never sent to the server)")
	ErrURLPrivate   = errors.New("the address points at a private or local network (localhost, 10.x, 192.168.x, link-local); use a public address")
	ErrURLPortRange = errors.New("the address's port is not a number from 1 to 65535")
)

// ValidateURL checks a webhook URL as a seller typed it and returns it trimmed. It must be https, with a host, no
// user info and no fragment, and not name a private, loopback or link-local host, unless allowPrivate (development
// and tests), which also allows http. The Transport checks the address again when it dials, after DNS.
func ValidateURL(raw string, allowPrivate bool) (string, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return "", ErrURLEmpty
	case len(raw) > MaxURLLen:
		return "", ErrURLTooLong
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" {
		return "", ErrURLSyntax
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowPrivate:
	default:
		return "", ErrURLScheme
	}
	switch {
	case u.User != nil:
		return "", ErrURLUserInfo
	case u.Hostname() == "":
		return "", ErrURLNoHost
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "", ErrURLFragment
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", ErrURLPortRange
		}
	}
	if !allowPrivate && privateHost(u.Hostname()) {
		return "", ErrURLPrivate
	}
	return raw, nil
}

// privateHost reports whether a host name or address is plainly not public: an address Allowed refuses, or a name
// that only resolves inside a network. A public name that resolves to a private address is caught when dialling.
func privateHost(host string) bool {
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return !Allowed(a)
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if !strings.Contains(h, ".") {
		return true // "localhost", "metadata", a bare intranet name
	}
	for _, suffix := range []string{".localhost", ".local", ".internal", ".home.arpa", ".lan", ".intranet", ".corp"} {
		if strings.HasSuffix(h, suffix) {
			return true
		}
	}
	return false
}

// Delivery is one delivery as the seller sees it in Settings -> Alerts.
type Delivery struct {
	DedupeKey, Kind string
	CreatedAt       time.Time
	DeliveredAt     *time.Time
	FailedAt        *time.Time // given up
	Attempts        int
	LastStatus      int    // the endpoint's last HTTP status; 0 when it never answered
	LastError       string // redacted
}

// Recent lists tx's seller's latest n deliveries, newest first.
func Recent(ctx context.Context, tx *store.Tx, n int) ([]Delivery, error) {
	rows, err := tx.Q.RecentWebhookDeliveries(ctx, tenantdb.RecentWebhookDeliveriesParams{UserID: tx.UserID, MaxRows: int32(n)})
	if err != nil {
		return nil, fmt.Errorf("sellerhook: recent deliveries: %w", err)
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		out[i] = Delivery{DedupeKey: r.DedupeKey, Kind: r.Kind, CreatedAt: r.CreatedAt, DeliveredAt: r.DeliveredAt,
			FailedAt: r.FailedAt, Attempts: int(r.Attempts), LastStatus: int(r.LastStatus), LastError: r.LastError}
	}
	return out, nil
}

// KindTest is the kind of the delivery the seller's "Send a test" makes.
const KindTest = "webhook-test"

// EnqueueTest enqueues a test delivery to tx's seller's webhook, named by now (one per second at most); ErrNotSet
// when they have none.
func EnqueueTest(ctx context.Context, tx *store.Tx, q Inserter, now time.Time) error {
	if ok, err := Configured(ctx, tx); err != nil || !ok {
		return cmp.Or(err, ErrNotSet)
	}
	at := now.UTC().Format(time.RFC3339)
	m := Message{
		Text: "Profitline test: your webhook works. Return deadline alerts will arrive here like this one.",
		Blocks: []Block{
			Header("Profitline test"),
			Section("Your webhook works. Return deadline alerts will arrive here, signed with your secret (header " +
				"`" + SignatureHeader + "`)."),
		},
		Data: map[string]string{"event": "webhook.test", "sent_at": at},
	}
	return Enqueue(ctx, tx, q, KindTest, KindTest+"/"+at, m)
}
