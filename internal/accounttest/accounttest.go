// Package accounttest assembles the account stack for tests: a fresh database, Redis under a key prefix of the test's
// own, a session manager, the job queue delivering mail to a dev outbox, and the account service, all on one fake
// clock. Tests of the account flows and of the pages over them share it.
package accounttest

import (
	"context"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/jobs"
	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/password"
	"github.com/profitline/profitline/internal/ratelimit"
	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/vault"
)

// PublicURL is where the stack's links point.
var PublicURL = &url.URL{Scheme: "https", Host: "app.example.com"}

// Stack is the account stack of one test.
type Stack struct {
	Env      *testenv.Env
	Accounts *account.Service
	Sessions *session.Manager
	Outbox   *mail.Dev
	Config   account.Config
	Limiter  *ratelimit.Limiter
	Queue    mail.Inserter
}

// New builds the stack; its job queue works (delivering to Outbox) until the test ends.
func New(t testing.TB) *Stack {
	t.Helper()
	ctx := context.Background()
	env := testenv.New(t)
	rdb := testenv.Redis(t)
	prefix := testenv.RedisPrefix(t, env.DB)
	spec, err := vault.GenerateKeySpec(1)
	if err != nil {
		t.Fatal(err)
	}
	sessionKeys, err := vault.ParseKeyRing(spec)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	sessions := session.NewManager(env.Store, rdb, sessionKeys, env.Clock, session.Config{KeyPrefix: prefix}, log)
	outbox := mail.NewDev(log, env.Clock)

	pool, err := pgxpool.New(ctx, env.DB.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	workers := river.NewWorkers()
	river.AddWorker(workers, mail.NewSendWorker(env.Store, outbox, env.Clock))
	queue, err := jobs.NewClient(pool, workers, jobs.Config{Queues: map[string]int{jobs.QueueDefault: 2}, Logger: log, FetchPollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = queue.StopAndCancel(context.Background()) })

	cfg := account.Config{EmailIndexKey: []byte("0123456789abcdef0123456789abcdef"), Password: password.TestParams, PublicURL: PublicURL}
	limiter := ratelimit.New(rdb, env.Clock, prefix)
	accounts, err := account.New(env.Store, sessions, limiter, queue, env.Clock, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	return &Stack{Env: env, Accounts: accounts, Sessions: sessions, Outbox: outbox, Config: cfg, Limiter: limiter, Queue: queue}
}

// WaitMail waits for the n-th mail (1-based, in arrival order) and returns it.
func (s *Stack) WaitMail(t testing.TB, n int) mail.DevMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if msgs := s.Outbox.Messages(); len(msgs) >= n {
			return msgs[len(msgs)-n] // Messages is newest first
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("accounttest: mail %d did not arrive; the outbox has %d", n, len(s.Outbox.Messages()))
	return mail.DevMessage{}
}
