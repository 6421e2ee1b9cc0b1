package main_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/localdev"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/vault"
)

func TestServeWorkersOpensNoPublicListenerAndNeedsNoRedis(t *testing.T) {
	db := testenv.NewDB(t)
	var ports [2]int
	for i := range ports {
		p, err := localdev.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	port, metricsPort := ports[0], ports[1]
	keys := func() string {
		spec, err := vault.GenerateKeySpec(1)
		if err != nil {
			t.Fatal(err)
		}
		return spec
	}
	cmd := exec.Command(bin, "serve", "-workers")
	cmd.Env = append(os.Environ(), "PROFITLINE_ENV=dev", "PORT="+fmt.Sprint(port), "METRICS_ADDR="+fmt.Sprintf("127.0.0.1:%d", metricsPort),
		"DATABASE_URL="+db.AppURL, "REDIS_URL=", "PROFITLINE_DATA_KEYS="+keys(), "SESSION_KEYS="+keys(),
		"EMAIL_INDEX_KEY=QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=", "METRICS_TOKEN=",
		"TIKTOK_APP_KEY=app-key", "TIKTOK_APP_SECRET=app-secret", "TIKTOK_SERVICE_ID=service",
		"TIKTOK_API_BASE=http://127.0.0.1:1", "TIKTOK_AUTH_BASE=http://127.0.0.1:1")
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	health := fmt.Sprintf("http://127.0.0.1:%d/healthz", metricsPort)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(health); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("serve -workers exited (%v) before serving its metrics listener:\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve -workers did not answer %s within 30s:\n%s", health, logs)
		}
	}
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
		c.Close()
		t.Errorf("serve -workers listens on the public PORT %d", port)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve -workers exited with %v on SIGTERM; want 0\n%s", err, logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve -workers did not stop within 20s of SIGTERM:\n%s", logs)
	}
}
