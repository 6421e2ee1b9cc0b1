package main_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/localdev"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/vault"
)

// bin is the real binary, built once for these tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "profitline-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "profitline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startDev runs `profitline dev` in dir against the test's database and Redis, and waits for its banner.
func startDev(t *testing.T, dir string, db *testenv.DB, redisURL string, port int) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(bin, "dev")
	cmd.Dir = dir
	// Each run gets Redis keys of its own (rate limits would otherwise carry over between runs), removed afterwards.
	prefix := testenv.RedisPrefix(t, db)
	cmd.Env = append(os.Environ(), "PORT="+fmt.Sprint(port), "DATABASE_URL="+db.AppURL, "MIGRATE_DATABASE_URL="+db.OwnerURL,
		"REDIS_URL="+redisURL, "REDIS_KEY_PREFIX="+prefix, "PROFITLINE_DATA_KEYS=", "PROFITLINE_ENV=dev")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	banner := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if strings.Contains(s.Text(), "Profitline is running at") {
				banner <- s.Text()
			}
		}
		close(banner)
	}()
	select {
	case line, ok := <-banner:
		if !ok {
			t.Fatalf("dev exited before serving:\n%s", logs)
		}
		if !strings.Contains(line, fmt.Sprintf("http://localhost:%d", port)) {
			t.Fatalf("banner %q does not name the address", line)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("dev did not start within 60s:\n%s", logs)
	}
	return cmd, logs
}

// lockedBuffer collects a child's stderr, written by exec's copying goroutine while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestDevServesTheLandingPageStopsCleanlyOnCtrlCAndKeepsItsKeys(t *testing.T) {
	db := testenv.NewDB(t)
	redisURL := testenv.Redis(t).Options().Addr
	dir := t.TempDir()
	port, err := localdev.FreePort()
	if err != nil {
		t.Fatal(err)
	}

	cmd, logs := startDev(t, dir, db, "redis://"+redisURL+"/0", port)
	base := fmt.Sprintf("http://localhost:%d", port)
	for path, want := range map[string]string{"/": "Profitline", "/readyz": `"database":"ok"`, "/dev/mail": "Dev mail"} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d; want 200 containing %q", path, res.StatusCode, want)
		}
	}
	keysFile := filepath.Join(dir, ".data", "data-keys")
	info, err := os.Stat(keysFile)
	if err != nil {
		t.Fatalf("dev did not create its key ring: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the dev key ring has mode %v; want 0600", info.Mode().Perm())
	}
	keys, _ := os.ReadFile(keysFile)
	if _, err := vault.ParseKeyRing(strings.TrimSpace(string(keys))); err != nil {
		t.Fatalf("the dev key ring does not parse: %v", err)
	}
	if strings.Contains(logs.String(), strings.TrimSpace(string(keys))[2:]) {
		t.Error("dev printed its key")
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("dev exited with %v after Ctrl-C; want 0\n%s", err, logs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("dev did not stop within 20s of Ctrl-C")
	}

	// A restart reads the same keys rather than making new ones (or the data sealed before would be lost).
	startDev(t, dir, db, "redis://"+redisURL+"/0", port)
	again, _ := os.ReadFile(keysFile)
	if string(again) != string(keys) {
		t.Error("a restart replaced the dev key ring")
	}
}

func TestKeysGeneratePrintsTheNextUsableKey(t *testing.T) {
	first, err := vault.GenerateKeySpec(4)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(context.Background(), bin, "keys", "generate")
	cmd.Env = append(os.Environ(), "PROFITLINE_DATA_KEYS="+first)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	spec := strings.TrimSpace(string(out))
	ring, err := vault.ParseKeyRing(spec + "," + first)
	if err != nil {
		t.Fatalf("generated entry %q does not parse: %v", spec, err)
	}
	if ring.ActiveID() != 5 {
		t.Fatalf("generated key id %d; want 5, one past the ring's highest", ring.ActiveID())
	}
}

func TestAnUnknownCommandFailsWithUsage(t *testing.T) {
	out, err := exec.Command(bin, "frobnicate").CombinedOutput()
	if err == nil || !strings.Contains(string(out), `unknown command "frobnicate"`) || !strings.Contains(string(out), "serve") {
		t.Fatalf("err %v, output:\n%s", err, out)
	}
}

func TestTheSignToolPrintsTheDocumentedSignature(t *testing.T) {
	out, err := exec.Command(bin, "tiktok", "sign", "--secret", "e59af819cc", "--path", "/authorization/202309/shops",
		"--query", "app_key=29a39d&timestamp=1623812664").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8" {
		t.Fatalf("tiktok sign printed %q; want the official example's signature", got)
	}
}

func TestTheWebhookSignToolPrintsWhatTheReceiverExpects(t *testing.T) {
	body := `{"type":6,"tts_notification_id":"7327","shop_id":"7494","timestamp":1718305585,"data":{}}`
	out, err := exec.Command(bin, "tiktok", "webhook-sign", "--app-key", "29a39d", "--secret", "e59af819cc", "--body", body).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); !tiktok.VerifyWebhook("29a39d", "e59af819cc", []byte(body), got) {
		t.Fatalf("webhook-sign printed %q, which the receiver's check refuses", got)
	}
}
