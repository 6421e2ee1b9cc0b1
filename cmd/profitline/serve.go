package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"runtime/debug"

	"github.com/profitline/profitline/internal/app"
	"github.com/profitline/profitline/internal/config"
)

// serveCmd is `profitline serve [-web | -workers]`: the web server and the job queue's workers together, or either
// alone so that they scale apart. Everything else is configured from the environment.
func serveCmd(ctx context.Context, args []string) error {
	role, err := parseServeArgs(args, os.Stderr)
	if err != nil {
		return err
	}
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	tuneGC(os.Getenv)
	return app.Serve(ctx, cfg, role, app.NewLogger(cfg), nil)
}

// The garbage collector's defaults for serve, unless GOGC or GOMEMLIMIT say otherwise. A sync allocates a page's
// records and rows and drops them a page later, so with Go's default (GOGC=100) the worker spent a fifth of its CPU
// collecting while holding 51 MB: at 400 a 100,000-order sync took 37.1 -> 29.8 s of the worker's CPU and peaked at
// 83 MB. The soft limit keeps the heap well under the 300 MB a worker may use, whatever a shop's size: near it, the
// collector runs as often as it must.
const (
	gcPercent   = 400
	memoryLimit = 256 << 20
)

func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

// parseServeArgs reads the role: -web or -workers alone, otherwise (neither, or both) every role. A wrong flag
// prints the usage to usage.
func parseServeArgs(args []string, usage io.Writer) (app.Role, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(usage)
	web := fs.Bool("web", false, "serve the web app only: no workers, no periodic jobs (jobs are still enqueued)")
	workers := fs.Bool("workers", false, "run the job queue's workers and periodic jobs only: no public listener")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", errors.New("serve takes only -web or -workers; everything else is configured from the environment")
	}
	switch {
	case *web && !*workers:
		return app.RoleWeb, nil
	case *workers && !*web:
		return app.RoleWorkers, nil
	default:
		return app.RoleAll, nil
	}
}
