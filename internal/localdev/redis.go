package localdev

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Redis is a Redis server for dev or tests.
type Redis struct {
	URL string
	// InProcess says this is an in-memory stand-in (dev only), not a real server.
	InProcess bool
	stop      func()
}

// FindOrStartRedis uses 127.0.0.1:6379 if it answers, else starts redis-server from PATH under dataDir, else (only
// when allowInProcess, which dev allows and tests do not) runs an in-process stand-in and says so.
func FindOrStartRedis(ctx context.Context, dataDir string, allowInProcess bool, log *slog.Logger) (*Redis, error) {
	const defaultURL = "redis://127.0.0.1:6379/0"
	if pingURL(ctx, defaultURL) == nil {
		return &Redis{URL: defaultURL, stop: func() {}}, nil
	}
	r, err := StartRedis(ctx, dataDir)
	if err == nil {
		log.Info("started redis-server", "url", r.URL)
		return r, nil
	}
	if !allowInProcess {
		return nil, fmt.Errorf("no Redis: nothing answers on 127.0.0.1:6379 and %v; install it (Debian: apt-get install redis-server) or set REDIS_URL", err)
	}
	m, merr := miniredis.Run()
	if merr != nil {
		return nil, fmt.Errorf("localdev: in-process Redis: %w", merr)
	}
	log.Warn("no Redis found: using an in-process stand-in for dev; install redis-server or set REDIS_URL (prod refuses to start without Redis)")
	return &Redis{URL: "redis://" + m.Addr() + "/0", InProcess: true, stop: m.Close}, nil
}

// StartRedis starts a real redis-server from PATH on a free loopback port, keeping nothing on disk.
func StartRedis(ctx context.Context, dataDir string) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("there is no redis-server on PATH")
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(dataDir, "redis")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("localdev: %w", err)
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--daemonize", "no", "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("localdev: start redis-server: %w", err)
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	url := "redis://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) + "/0"
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pingURL(ctx, url) == nil {
			return &Redis{URL: url, stop: stop}, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			return nil, fmt.Errorf("localdev: redis-server on port %d did not answer within 10s", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops a server that was started here; it leaves one it found running alone.
func (r *Redis) Stop() { r.stop() }

func pingURL(ctx context.Context, url string) error {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	opts.DialTimeout = time.Second
	opts.MaxRetries = -1
	c := redis.NewClient(opts)
	defer c.Close()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return c.Ping(cctx).Err()
}
