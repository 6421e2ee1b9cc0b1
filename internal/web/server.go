// Package web is Profitline's HTTP face: the Echo server, its middleware (security headers, CSRF, request ids,
// logs), the route table and the page handlers. Handlers return errors; one error handler renders them.
//
// It sits at the top of the data flow: nothing else imports web, and web never talks to TikTok directly.
package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/ratelimit"
	"github.com/profitline/profitline/internal/sellerhook"
	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/webhook"

	"github.com/profitline/profitline/static"
	"github.com/profitline/profitline/templates"
)

// Pinger is a dependency /readyz checks.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Options configure the server.
type Options struct {
	Log       *slog.Logger
	PublicURL *url.URL
	// ForceHTTPS redirects plain-http page requests to PublicURL (prod); webhooks and probes are never redirected.
	ForceHTTPS bool
	// TrustedProxies are the peers whose X-Forwarded-For and X-Forwarded-Proto are believed.
	TrustedProxies []netip.Prefix
	// BodyLimit caps request bodies, e.g. "1M".
	BodyLimit string
	// Ready lists what /readyz checks, by name.
	Ready map[string]Pinger
	// Monitor reports server errors to error monitoring; nil reports nowhere.
	Monitor ErrorReporter
	// DevMail, set in dev only, is the outbox shown at /dev/mail; without it that page does not exist.
	DevMail DevOutbox

	// Accounts, Sessions and Store serve the account pages; without Accounts those pages do not exist.
	Accounts *account.Service
	Sessions *session.Manager
	Store    *store.Store
	Clock    clock.Clock
	// Connect serves Settings -> Shops and the TikTok connection; without it those pages do not exist.
	Connect *connect.Service
	// Webhooks receives TikTok's notifications at /webhooks/tiktok.
	Webhooks *webhook.Receiver
	// Syncs asks for a sync of a seller's shop now (Settings -> Shops -> Sync now); without it there is no such
	// button. It needs Limiter: one press per seller and shop a minute.
	Syncs SyncRequester
	// Limiter rate-limits the actions the web layer itself offers (Sync now, a webhook's test).
	Limiter *ratelimit.Limiter
	// Jobs inserts jobs in a tenant transaction (Settings -> Alerts -> Send a test); without it there is no such
	// button.
	Jobs sellerhook.Inserter
	// SellerWebhooksAllowPrivate accepts http and private or loopback addresses as a seller's webhook (dev only).
	SellerWebhooksAllowPrivate bool
	// FormTargets are origins beyond our own that a form may lead to: TikTok's consent page, which Connect's POST
	// redirects to (browsers apply form-action to that redirect too).
	FormTargets []string
}

// SyncRequester asks for a sync of every resource of one of a seller's shops now. The caller has checked that the
// seller owns the shop and that its access is active.
type SyncRequester interface {
	SyncNow(ctx context.Context, userID int64, shopID string) error
}

// SyncRequesterFunc makes a function a SyncRequester (the app's enqueues the shop's sync jobs).
type SyncRequesterFunc func(ctx context.Context, userID int64, shopID string) error

// SyncNow calls f.
func (f SyncRequesterFunc) SyncNow(ctx context.Context, userID int64, shopID string) error {
	return f(ctx, userID, shopID)
}

// DevOutbox lists the mails the dev transport kept, newest first.
type DevOutbox interface {
	Messages() []mail.DevMessage
}

// ErrorReporter sends unexpected failures to error monitoring: its Middleware reports panics (and re-panics), and
// Report is called for errors that handlers return.
type ErrorReporter interface {
	Middleware() echo.MiddlewareFunc
	Report(c echo.Context, err error)
}

// Server is the HTTP application.
type Server struct {
	csp    [2]string // the Content-Security-Policy around its per-request nonce
	echo   *echo.Echo
	opts   Options
	views  *views
	assets *assets
	log    *slog.Logger
}

// New builds the server. Missing or broken templates stop it here, not on a seller's request.
func New(opts Options) (*Server, error) {
	if opts.Log == nil || opts.PublicURL == nil {
		return nil, errors.New("web: Log and PublicURL are required")
	}
	if opts.BodyLimit == "" {
		opts.BodyLimit = "1M"
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Accounts != nil && (opts.Sessions == nil || opts.Store == nil) {
		return nil, errors.New("web: the account pages need Sessions and Store")
	}
	if opts.Syncs != nil && opts.Limiter == nil {
		return nil, errors.New("web: Sync now (Syncs) needs a Limiter")
	}
	a, err := loadAssets(static.FS)
	if err != nil {
		return nil, err
	}
	v, err := loadViews(templates.FS, a)
	if err != nil {
		return nil, err
	}
	s := &Server{echo: echo.New(), opts: opts, views: v, assets: a, log: opts.Log}
	formAction := "'self'"
	for _, o := range opts.FormTargets {
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("web: form target %q is not an origin", o)
		}
		formAction += " " + u.Scheme + "://" + u.Host
	}
	s.csp = [2]string{"default-src 'self'; script-src 'self' 'nonce-", "'; style-src 'self'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action " + formAction}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.IPExtractor, s.echo.SchemeExtractor = forwardedExtractors(opts.TrustedProxies)
	s.middleware()
	s.routes()
	return s, nil
}

// ServeHTTP makes the server an http.Handler (tests use httptest).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// HTTPServer returns an http.Server for addr with timeouts that bound slow or idle clients, and TLS 1.2 or later
// when it terminates TLS itself.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve serves on l until ctx ends, then shuts down softly for up to grace, then hard.
func (s *Server) Serve(ctx context.Context, l net.Listener, certFile, keyFile string, grace time.Duration) error {
	srv := s.HTTPServer(l.Addr().String())
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- srv.ServeTLS(l, certFile, keyFile)
		} else {
			errc <- srv.Serve(l)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.Warn("graceful shutdown timed out; closing connections", "err", err)
		return srv.Close()
	}
	return nil
}

// forwardedExtractors believes X-Forwarded-For and X-Forwarded-Proto only from the configured proxies.
func forwardedExtractors(proxies []netip.Prefix) (echo.IPExtractor, echo.SchemeExtractor) {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect(), echo.ExtractSchemeDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{
			IP:   net.IP(p.Addr().AsSlice()),
			Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
		}))
	}
	return echo.ExtractIPFromXFFHeader(opts...), echo.ExtractSchemeFromHeaders(opts...)
}
