// Package browsertest drives Debian's headless Chromium from Go tests (through chromedp), so pages are tested as a
// seller's browser sees them: CSP enforced, cookies set, scripts run. A test without Chromium fails and says how to
// install it; it never skips.
package browsertest

import (
	"context"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser is one headless Chromium with a fresh profile, and the console errors, warnings and exceptions (CSP
// violations among them) it reported.
type Browser struct {
	Ctx context.Context

	mu       sync.Mutex
	problems []string
}

// New starts Chromium for the test and closes it when the test ends. Pages get a viewport width×height.
func New(t testing.TB, width, height int) *Browser {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Fatal("browsertest: Chromium is required (Debian: apt-get install chromium); .ci/run installs it")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		// Without these Chromium keeps trying to reach Google's hosts on a closed network.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(width, height),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	b := &Browser{Ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("browsertest: start Chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				b.mu.Lock()
				b.problems = append(b.problems, m.String())
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// Problems returns the console errors, warnings and uncaught exceptions seen so far.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// actionTimeout bounds each call, so a page that never shows what a test waits for fails the test instead of hanging
// it. (The browser itself runs on b.Ctx, which has no deadline: chromedp ties the browser's life to it.)
const actionTimeout = 30 * time.Second

// Do runs actions in order, failing the test on the first error.
func (b *Browser) Do(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// Eval evaluates a JavaScript expression on the page and returns its value.
func Eval[T any](t testing.TB, b *Browser, expression string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		t.Fatalf("browser: evaluate %q: %v", expression, err)
	}
	return v
}

// WaitFor polls a JavaScript condition until it is true, failing the test after 15 seconds: for waits on a page
// that replaces one that already showed the same elements.
func WaitFor(t testing.TB, b *Browser, condition string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](condition))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("browser: %q did not become true within 15s", condition)
}

// Shown waits until the element is visible on a page that has finished loading: after a click that navigates, what
// the test reads next is then the whole new page, not the part Chromium had parsed when the element appeared.
func Shown(selector string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, target *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.WaitVisible(selector)(ctx, target); err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Poll[chromedp.Void](`document.readyState === "complete"`)(ctx, target)
	}
}
