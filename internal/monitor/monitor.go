// Package monitor reports unexpected errors and panics to Sentry, after scrubbing everything that could identify a
// seller or a buyer or unlock an account: cookies, auth headers, query strings, bodies, tokens and emails.
//
// It must never send an event that has not passed through Scrub.
package monitor

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	sentryecho "github.com/getsentry/sentry-go/echo"
	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/redact"
)

// Monitor is the error-monitoring client.
type Monitor struct {
	client *sentry.Client
}

// Options configure the monitor. Transport is for tests; nil sends over HTTP.
type Options struct {
	DSN         string
	Environment string
	Release     string
	Transport   sentry.Transport
}

// New starts the Sentry client. The global hub is set too, since the echo integration clones it per request.
func New(opts Options) (*Monitor, error) {
	err := sentry.Init(sentry.ClientOptions{
		Dsn:         opts.DSN,
		Environment: opts.Environment,
		Release:     opts.Release,
		Transport:   opts.Transport,
		// Collect as little as the SDK allows; Scrub then removes what is left.
		DataCollection: &sentry.DataCollection{
			UserInfo:    sentry.Set(false),
			Cookies:     &sentry.KeyValueCollectionBehavior{Mode: sentry.CollectionOff},
			QueryParams: &sentry.KeyValueCollectionBehavior{Mode: sentry.CollectionOff},
			HTTPBodies:  []sentry.BodyType{},
		},
		AttachStacktrace: true,
		BeforeSend:       Scrub,
		BeforeBreadcrumb: func(b *sentry.Breadcrumb, _ *sentry.BreadcrumbHint) *sentry.Breadcrumb {
			b.Data = nil
			b.Message = redact.Text(b.Message)
			return b
		},
	})
	if err != nil {
		return nil, fmt.Errorf("monitor: sentry: %w", err)
	}
	return &Monitor{client: sentry.CurrentHub().Client()}, nil
}

// Middleware captures panics and re-panics, so the server's recovery still answers with its 500 page.
func (m *Monitor) Middleware() echo.MiddlewareFunc {
	return sentryecho.New(sentryecho.Options{Repanic: true})
}

// Report sends an error returned by a handler.
func (m *Monitor) Report(c echo.Context, err error) {
	hub := sentryecho.GetHubFromContext(c)
	if hub == nil {
		hub = sentry.CurrentHub()
	}
	hub.CaptureException(err)
}

// Flush waits up to timeout for queued events to go out; call it before exit.
func (m *Monitor) Flush(timeout time.Duration) { m.client.Flush(timeout) }

// keptHeaders are the only request headers an event may carry.
var keptHeaders = map[string]bool{
	"Accept": true, "Content-Type": true, "Content-Length": true, "User-Agent": true, "X-Request-Id": true,
}

// Scrub removes from an event everything that could carry a secret or personal data. It is the BeforeSend hook.
func Scrub(event *sentry.Event, _ *sentry.EventHint) *sentry.Event {
	if r := event.Request; r != nil {
		r.Cookies, r.QueryString, r.Data, r.Env = "", "", "", nil
		if i := strings.IndexByte(r.URL, '?'); i >= 0 {
			r.URL = r.URL[:i]
		}
		headers := map[string]string{}
		for k, v := range r.Headers {
			if keptHeaders[http.CanonicalHeaderKey(k)] {
				headers[k] = v
			}
		}
		r.Headers = headers
	}
	event.User = sentry.User{ID: event.User.ID}
	event.ServerName = ""
	event.Message = redact.Text(event.Message)
	for i := range event.Exception {
		event.Exception[i].Value = redact.Text(event.Exception[i].Value)
	}
	for _, b := range event.Breadcrumbs {
		b.Data = nil
		b.Message = redact.Text(b.Message)
	}
	return event
}
