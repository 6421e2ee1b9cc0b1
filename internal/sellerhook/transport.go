package sellerhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/profitline/profitline/internal/redact"
)

// ErrPermanent marks a delivery error that no retry can fix: the endpoint refused the request as it is (a 4xx
// other than 408 and 429), redirected it, or its address is one the Transport may not dial.
var ErrPermanent = errors.New("sellerhook: permanent failure")

// permanentError marks its cause as ErrPermanent without changing its message, which the seller reads.
type permanentError struct{ err error }

func (e permanentError) Error() string        { return e.err.Error() }
func (e permanentError) Unwrap() error        { return e.err }
func (e permanentError) Is(target error) bool { return target == ErrPermanent }

// ErrForbiddenAddress is a dial refused by the Transport's policy: the host resolved to a loopback, private,
// link-local (cloud metadata) or otherwise non-public address.
var ErrForbiddenAddress = errors.New("sellerhook: the webhook's host resolves to a private or local address")

// TransportOptions configure a Transport.
type TransportOptions struct {
	// AllowPrivate lets deliveries reach loopback and private addresses: development and tests only (the
	// endpoint is an httptest server on 127.0.0.1).
	AllowPrivate bool
}

// Transport posts deliveries. Its dialer checks every address it connects to, after DNS and for every
// connection, so a public name that resolves (or is rebound) to a private address is refused; it uses no proxy,
// follows no redirect, bounds every phase of a request and reads at most a little of the answer.
type Transport struct {
	client *http.Client
}

// NewTransport returns a Transport.
func NewTransport(opts TransportOptions) *Transport {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !opts.AllowPrivate {
		dialer.Control = refusePrivate
	}
	t := &http.Transport{
		Proxy:                 nil, // a proxy would be what the dialer checks, not the seller's host
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          20,
		IdleConnTimeout:       60 * time.Second,
	}
	return &Transport{client: &http.Client{
		Transport:     t,
		Timeout:       15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// refusePrivate is the dialer's Control hook: address is the resolved IP and port about to be connected to.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return ErrForbiddenAddress
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !Allowed(a) {
		return ErrForbiddenAddress
	}
	return nil
}

// nonPublic are ranges that are not reachable on the public internet, beyond what netip's predicates name.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (and some clouds' metadata, 100.100.100.200)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: would reach any IPv4 address, private ones too
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds an IPv4 address
}

// Allowed reports whether a is a public unicast address a delivery may connect to.
func Allowed(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// maxAnswer is how much of an endpoint's answer is read: enough for Slack's "invalid_payload", never a flood.
const maxAnswer = 4 << 10

// Post sends body to rawURL with headers and returns the answer's status (0 when none came). An error wrapping
// ErrPermanent must not be retried; any other error may succeed later (network errors, 5xx, 408, 429). Errors never
// quote the URL: its path or query may be the seller's credential.
func (t *Transport) Post(ctx context.Context, rawURL string, headers http.Header, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return 0, permanentError{errors.New("sellerhook: the webhook's address cannot be requested")}
	}
	for k, v := range headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Profitline-Webhooks/1")
	resp, err := t.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the URL
		}
		if errors.Is(err, ErrForbiddenAddress) {
			return 0, permanentError{ErrForbiddenAddress}
		}
		return 0, fmt.Errorf("sellerhook: could not reach the endpoint: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, nil
	}
	e := fmt.Errorf("sellerhook: the endpoint answered %s", resp.Status)
	if snippet := answerSnippet(answer); snippet != "" {
		e = fmt.Errorf("%w: %s", e, snippet)
	}
	switch {
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests:
		return resp.StatusCode, e
	case resp.StatusCode/100 == 3:
		return resp.StatusCode, permanentError{fmt.Errorf("%w (redirects are not followed: give the final address)", e)}
	}
	return resp.StatusCode, permanentError{e}
}

// answerSnippet is the start of an answer, on one line, redacted: it ends up on the delivery row for the seller.
func answerSnippet(b []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "")), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return redact.Text(s)
}
