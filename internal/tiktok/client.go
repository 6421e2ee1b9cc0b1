// Package tiktok is Profitline's client for the TikTok Shop Open API: OAuth token exchange, request signing, the
// response envelope and its error codes, retries, per-shop rate limits, and typed, streamed reads of shops, orders,
// returns, products and finance data (see shared/tiktok-shop-api.md).
//
// It must never call a write endpoint: the only requests it can build are the entries of Endpoints, all reads
// except the one documented DELETE by which the app deauthorizes itself. It must never log, or put in an error,
// an access or refresh token, the app secret or an authorization code.
package tiktok

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/profitline/profitline/internal/clock"
)

// Config is where TikTok lives and who we are to it. The app fills it from TIKTOK_* environment variables.
type Config struct {
	APIBase      string // TIKTOK_API_BASE, e.g. https://open-api.tiktokglobalshop.com
	AuthBase     string // TIKTOK_AUTH_BASE, e.g. https://auth.tiktok-shops.com
	AuthorizeURL string // TIKTOK_AUTHORIZE_URL, e.g. https://services.tiktokshop.com/open/authorize
	AppKey       string // TIKTOK_APP_KEY
	AppSecret    string // TIKTOK_APP_SECRET; secret
	ServiceID    string // TIKTOK_SERVICE_ID
}

// String describes c without the app secret, so a Config printed by mistake leaks nothing.
func (c Config) String() string {
	return fmt.Sprintf("tiktok.Config{APIBase:%s AuthBase:%s AuthorizeURL:%s AppKey:%s AppSecret:[redacted] ServiceID:%s}",
		c.APIBase, c.AuthBase, c.AuthorizeURL, c.AppKey, c.ServiceID)
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }

// Options tune the client; the zero value is production behaviour.
type Options struct {
	Clock       clock.Clock                                      // stamps requests; default clock.System
	Sleep       func(ctx context.Context, d time.Duration) error // waits between attempts and for the limiter; default a timer
	MaxAttempts int                                              // attempts per read, including the first; default 5
	BaseBackoff time.Duration                                    // default 500ms
	MaxBackoff  time.Duration                                    // default 30s
	ShopRate    float64                                          // requests per second per shop at full speed; default 10
	ShopBurst   int                                              // default 10
}

// Client talks to TikTok for the app. It is safe for concurrent use; one Client serves every seller.
type Client struct {
	cfg      Config
	apiBase  string
	authBase string
	http     *http.Client
	clock    clock.Clock
	sleep    func(context.Context, time.Duration) error
	attempts int
	backoff  backoff
	limiter  *limiter
}

// New checks cfg and returns a client.
func New(cfg Config, opts Options) (*Client, error) {
	var problems []string
	for _, u := range []struct{ name, value string }{
		{"APIBase", cfg.APIBase}, {"AuthBase", cfg.AuthBase}, {"AuthorizeURL", cfg.AuthorizeURL},
	} {
		p, err := url.Parse(u.value)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.RawQuery != "" {
			problems = append(problems, fmt.Sprintf("%s %q is not an http(s) URL without a query", u.name, u.value))
		}
	}
	if cfg.AppKey == "" {
		problems = append(problems, "no app key")
	}
	if cfg.AppSecret == "" {
		problems = append(problems, "no app secret")
	}
	if cfg.ServiceID == "" {
		problems = append(problems, "no service id")
	}
	if len(problems) > 0 {
		return nil, errors.New("tiktok: config: " + strings.Join(problems, "; "))
	}
	c := &Client{
		cfg:      cfg,
		apiBase:  strings.TrimSuffix(cfg.APIBase, "/"),
		authBase: strings.TrimSuffix(cfg.AuthBase, "/"),
		http:     newHTTPClient(),
		clock:    opts.Clock,
		sleep:    opts.Sleep,
		attempts: opts.MaxAttempts,
		backoff:  backoff{base: opts.BaseBackoff, max: opts.MaxBackoff},
	}
	if c.clock == nil {
		c.clock = clock.System{}
	}
	if c.sleep == nil {
		c.sleep = sleepTimer
	}
	if c.attempts <= 0 {
		c.attempts = 5
	}
	if c.backoff.base <= 0 {
		c.backoff.base = 500 * time.Millisecond
	}
	if c.backoff.max <= 0 {
		c.backoff.max = 30 * time.Second
	}
	rate, burst := opts.ShopRate, opts.ShopBurst
	if rate <= 0 {
		rate = 10
	}
	if burst <= 0 {
		burst = 10
	}
	c.limiter = newLimiter(c.clock, rate, burst)
	return c, nil
}

// newHTTPClient is the one HTTP client of the package: every phase bounded, and redirects never followed (a
// redirect would carry a signed request, with its token header, somewhere we did not choose).
func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 5 * time.Second
	t.ResponseHeaderTimeout = 30 * time.Second
	t.MaxIdleConnsPerHost = 32
	return &http.Client{
		Transport:     t,
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// TokenSource hands the client a seller's access token. The app implements it over its encrypted storage, with a
// lock so that concurrent refreshes of one grant happen once.
type TokenSource interface {
	// Token returns the current access token.
	Token(ctx context.Context) (string, error)
	// Refresh is called when TikTok rejected the token `rejected` as expired or invalid. It returns a fresh access
	// token (having refreshed and stored both tokens), or the current one if another caller already refreshed.
	// When the grant is gone it returns the refresh call's error (ClassGrantGone).
	Refresh(ctx context.Context, rejected string) (string, error)
}

// Seller is the client acting under one seller's grant. One grant can cover several shops.
type Seller struct {
	c      *Client
	tokens TokenSource
}

// Seller returns the client acting with the tokens of one seller's grant.
func (c *Client) Seller(tokens TokenSource) *Seller { return &Seller{c: c, tokens: tokens} }
