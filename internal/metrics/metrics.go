// Package metrics is what Profitline tells Prometheus: the sync counters (Sync, the syncer's observer), gauges read
// from the database at scrape time (Database), and the Go runtime's and the process's own. Everything lives in a
// registry of our own, never prometheus.DefaultRegisterer, so no library can add series we did not choose, and it is
// served on a listener of its own (METRICS_ADDR), never the public one, optionally behind a bearer token.
//
// It must never label a series with a user id or anything a seller typed: shop ids, resource names, job kinds and
// error classes only. Cross-tenant reads go through store.System, like every other.
package metrics

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every metric Profitline serves.
type Registry struct {
	reg *prometheus.Registry
	// Sync counts what syncs do; pass it to the syncer as its Observer.
	Sync *Sync
}

// New makes the registry with the Go runtime's and the process's collectors and the sync counters.
func New() *Registry {
	reg := prometheus.NewRegistry()
	r := &Registry{reg: reg, Sync: newSync()}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		r.Sync,
	)
	return r
}

// Register adds a collector, such as Database.
func (r *Registry) Register(c prometheus.Collector) error { return r.reg.Register(c) }

// Handler serves the metrics at GET /metrics and liveness at GET /healthz (which says only "ok", so it needs no
// token: orchestrators probe it). With a token, /metrics answers 401 unless the request carries
// "Authorization: Bearer <token>". A collector that fails (the database is slow, say) costs only its own series:
// the rest are still served, and the failure is logged.
func (r *Registry) Handler(token string, log *slog.Logger) http.Handler {
	metrics := promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      r.reg, // counts its own errors: promhttp_metric_handler_errors_total
		// Each scrape reads the database: a few at once at most, more are answered 503.
		MaxRequestsInFlight: 3,
		Timeout:             scrapeTimeout + 2*time.Second,
	})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", requireBearer(token, metrics))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	})
	return mux
}

// requireBearer lets a request through only with the token; an empty token lets every request through (METRICS_ADDR
// is then on loopback, or the environment is dev: config checks that).
func requireBearer(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	// Comparing digests keeps the comparison constant-time in the token's length too.
	want := sha256.Sum256([]byte("Bearer " + token))
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got := sha256.Sum256([]byte(req.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, req)
	})
}

// Serve serves h on l until ctx ends, then closes it (a scrape in flight gets up to five seconds).
func Serve(ctx context.Context, l net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("metrics: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return srv.Close()
	}
	return nil
}
