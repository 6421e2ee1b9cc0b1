package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Context keys set by the middleware.
const (
	ctxRequestID = "request_id"
	ctxNonce     = "csp_nonce"
	ctxCSRF      = "csrf"
)

// middleware installs the chain, outermost first. Security headers come before anything can fail, so that 404s,
// 413s and 500s carry them too.
func (s *Server) middleware() {
	s.echo.Use(
		s.requestID,
		s.securityHeaders,
		s.accessLog,
		recoverPanics,
		rejectTrace,
	)
	if s.opts.Monitor != nil {
		// Inside recoverPanics: it sees a panic first, reports it, and re-panics for recoverPanics to turn into a 500.
		s.echo.Use(s.opts.Monitor.Middleware())
	}
	s.echo.Use(
		s.redirectToHTTPS,
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: s.opts.BodyLimit, Skipper: hasOwnBodyLimit}),
		middleware.CSRFWithConfig(middleware.CSRFConfig{
			TokenLookup:    "form:csrf_token,header:X-CSRF-Token",
			ContextKey:     ctxCSRF,
			CookieName:     "__Host-csrf",
			CookiePath:     "/",
			CookieSecure:   true,
			CookieHTTPOnly: true,
			CookieSameSite: http.SameSiteLaxMode,
			Skipper:        isMachineEndpoint,
			ErrorHandler: func(error, echo.Context) error {
				return echo.NewHTTPError(http.StatusForbidden, "This form has expired. Go back, reload the page and try again.")
			},
		}),
		s.loadSession,
	)
}

// hasOwnBodyLimit is true for the routes that set a body limit of their own (uploads larger than a form).
func hasOwnBodyLimit(c echo.Context) bool {
	return c.Request().URL.Path == costsImportPath
}

// isMachineEndpoint is true for requests from machines (webhooks carry their own signatures; probes carry nothing).
func isMachineEndpoint(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/webhooks/") || p == "/healthz" || p == "/readyz"
}

// panicError is a recovered panic, with the stack where it happened.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// recoverPanics turns a handler's panic into an error for the error handler (a generic 500 page).
func recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r) // net/http's own signal to drop the connection
				}
				err = &panicError{value: r, stack: debug.Stack()}
			}
		}()
		return next(c)
	}
}

// rejectTrace answers TRACE and TRACK with 405 on every path, found or not.
func rejectTrace(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if m := c.Request().Method; m == http.MethodTrace || m == "TRACK" {
			return echo.ErrMethodNotAllowed
		}
		return next(c)
	}
}

// requestID gives every request a fresh id, echoed in X-Request-Id, the logs and the error page. A client's own
// X-Request-Id is never trusted: it would let anyone write into our logs.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		c.Set(ctxRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// securityHeaders sets the headers of SECURITY.md promises 1 and 11 on every response, with a fresh CSP nonce.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		nonce := base64.StdEncoding.EncodeToString(b)
		c.Set(ctxNonce, nonce)
		h := c.Response().Header()
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		h.Set("Content-Security-Policy", s.csp[0]+nonce+s.csp[1])
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		// Pages may show a seller's figures: never stored by browsers or proxies. Static files override this.
		h.Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}

// accessLog writes one line per request: never the query string, cookies or bodies (they may carry OAuth codes,
// tokens or PII).
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // render now, so the line has the final status
		}
		req, res := c.Request(), c.Response()
		level := slog.LevelInfo
		if res.Status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(req.Context(), level, "request",
			slog.String("request_id", requestIDOf(c)),
			slog.String("method", req.Method),
			slog.String("path", req.URL.Path),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("took", time.Since(start)),
			slog.String("ip", c.RealIP()),
		)
		return nil
	}
}

// redirectToHTTPS sends plain-http page requests to the public https address (built from configuration, never from
// the Host header). Webhooks are not redirected: a redirect would lose their POST body.
func (s *Server) redirectToHTTPS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.opts.ForceHTTPS || c.Scheme() == "https" || isMachineEndpoint(c) {
			return next(c)
		}
		u := *s.opts.PublicURL
		u.Path = c.Request().URL.Path
		u.RawQuery = c.Request().URL.RawQuery
		return c.Redirect(http.StatusPermanentRedirect, u.String())
	}
}

func requestIDOf(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

func nonceOf(c echo.Context) string {
	n, _ := c.Get(ctxNonce).(string)
	return n
}

func csrfTokenOf(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}
