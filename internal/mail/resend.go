package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/profitline/profitline/internal/redact"
)

// ResendBaseURL is Resend's API.
const ResendBaseURL = "https://api.resend.com"

// ResendConfig configures the Resend transport.
type ResendConfig struct {
	APIKey  string // RESEND_API_KEY; secret
	From    string // the sender, e.g. "Profitline <mail@profitline.app>", on a domain verified in Resend
	BaseURL string // "" means ResendBaseURL; tests point it at a local fake
}

// Resend sends mail through Resend's HTTP API (POST /emails), passing each mail's idempotency key so that Resend
// sends a retried mail once.
type Resend struct {
	apiKey   string
	from     string
	endpoint string
	client   *http.Client
}

// NewResend checks cfg and returns the transport.
func NewResend(cfg ResendConfig) (*Resend, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("mail: resend: no API key")
	}
	if _, err := netmail.ParseAddress(cfg.From); err != nil || hasControl(cfg.From) {
		return nil, errors.New("mail: resend: the sender is not an email address")
	}
	base := cfg.BaseURL
	if base == "" {
		base = ResendBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("mail: resend: base URL %q is not an http(s) URL", base)
	}
	return &Resend{
		apiKey:   cfg.APIKey,
		from:     cfg.From,
		endpoint: strings.TrimSuffix(base, "/") + "/emails",
		client:   newHTTPClient(),
	}, nil
}

// newHTTPClient bounds every phase of a request, so a provider that stops answering costs a job attempt, not a
// worker slot for ever.
func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 5 * time.Second
	t.ResponseHeaderTimeout = 20 * time.Second
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

type resendEmail struct {
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	HTML    string   `json:"html,omitempty"`
}

// resendReply is both Resend's answer to a sent mail ({"id"}) and its error body ({"statusCode","name","message"}).
type resendReply struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Message string `json:"message"`
}

// Send posts one mail. 429 and 5xx answers are retried; other 4xx answers wrap ErrRejected, except 409
// concurrent_idempotent_requests, which means an earlier attempt with this key is still in flight.
func (r *Resend) Send(ctx context.Context, out Outgoing) (string, error) {
	body, err := json.Marshal(resendEmail{From: r.from, To: []string{out.To}, Subject: out.Subject, Text: out.Text, HTML: out.HTML})
	if err != nil {
		return "", fmt.Errorf("mail: resend: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("mail: resend: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+r.apiKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", out.IdempotencyKey)
	resp, err := r.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("mail: resend: %w", err) // the URL in it is the base URL: no secret
	}
	defer resp.Body.Close()
	var reply resendReply
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err == nil {
		err = json.Unmarshal(raw, &reply)
	}
	if resp.StatusCode/100 == 2 {
		if err != nil || reply.ID == "" {
			// It may have been sent; the retry, with the same idempotency key, will learn the id without sending.
			return "", fmt.Errorf("mail: resend: %s with no email id in the answer", resp.Status)
		}
		return reply.ID, nil
	}
	// Resend's message can quote the request (the recipient, say): redacted before it goes anywhere.
	e := fmt.Errorf("mail: resend: %s %s: %s", resp.Status, reply.Name, redact.Text(reply.Message))
	retryable := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 ||
		(resp.StatusCode == http.StatusConflict && reply.Name == "concurrent_idempotent_requests") ||
		resp.StatusCode < 400
	if retryable {
		return "", e
	}
	return "", fmt.Errorf("%w: %w", ErrRejected, e)
}
