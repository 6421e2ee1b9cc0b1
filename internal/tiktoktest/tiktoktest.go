// Package tiktoktest serves the TikTok sandbox on a local test server and builds the app's client against it, on
// the test's clock, for tests of the code that talks to TikTok.
package tiktoktest

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
)

// Env is a running sandbox and a client that speaks to it.
type Env struct {
	Sandbox *sandbox.Sandbox
	Client  *tiktok.Client
	Config  tiktok.Config
	URL     string
}

// New starts a small sandbox (2 shops of one seller, 7 days) on clk; mutate may change its config first.
func New(t testing.TB, clk clock.Clock, mutate func(*sandbox.Config)) *Env {
	t.Helper()
	cfg := sandbox.Demo(clk)
	cfg.Days, cfg.OrdersPerDay = 7, 5
	if mutate != nil {
		mutate(&cfg)
	}
	sb, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	tc := tiktok.Config{
		APIBase: srv.URL, AuthBase: srv.URL, AuthorizeURL: srv.URL + "/open/authorize",
		AppKey: cfg.AppKey, AppSecret: cfg.AppSecret, ServiceID: cfg.ServiceID,
	}
	client, err := tiktok.New(tc, tiktok.Options{Clock: clk, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Sandbox: sb, Client: client, Config: tc, URL: srv.URL}
}

// StaticToken serves one access token and "refreshes" to the same: for calls made with tokens the sandbox issued
// directly.
type StaticToken string

// Token returns the token.
func (s StaticToken) Token(context.Context) (string, error) { return string(s), nil }

// Refresh returns the same token.
func (s StaticToken) Refresh(context.Context, string) (string, error) { return string(s), nil }
