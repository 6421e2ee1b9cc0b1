package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/browsertest"
	"github.com/profitline/profitline/internal/web"
)

func serve(t *testing.T) (*web.Server, string) {
	t.Helper()
	srv, err := web.New(web.Options{Log: slog.New(slog.DiscardHandler), PublicURL: &url.URL{Scheme: "http", Host: "localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, ts.URL
}

// Sellers check profit on their phones: the landing page must fit a 375 px screen, obey the CSP, and be usable
// from the keyboard.
func TestTheLandingPageFitsAPhoneObeysTheCSPAndWorksFromTheKeyboard(t *testing.T) {
	_, base := serve(t)
	for _, width := range []int{375, 1280} {
		b := browsertest.New(t, width, 900)
		b.Do(t, chromedp.Navigate(base+"/"), chromedp.WaitVisible("main h1"))

		if overflow := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth - window.innerWidth`); overflow > 0 {
			t.Errorf("at %d px the page is %d px wider than the screen", width, overflow)
		}
		if rules := browsertest.Eval[int](t, b, `[...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0)`); rules < 20 {
			t.Errorf("at %d px only %d CSS rules loaded; the stylesheet did not apply", width, rules)
		}
		if h1 := browsertest.Eval[int](t, b, `document.querySelectorAll('h1').length`); h1 != 1 {
			t.Errorf("the page has %d h1 elements; want 1", h1)
		}
		unlabelled := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
			.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
			.map(e => e.outerHTML)`)
		if len(unlabelled) > 0 {
			t.Errorf("controls without a label: %v", unlabelled)
		}
		if noAlt := browsertest.Eval[int](t, b, `document.querySelectorAll('img:not([alt])').length`); noAlt > 0 {
			t.Errorf("%d images without alt text", noAlt)
		}
		b.Do(t, chromedp.KeyEvent(kb.Tab))
		if first := browsertest.Eval[string](t, b, `document.activeElement.getAttribute('href') || ''`); first != "#main" {
			t.Errorf("the first Tab reaches %q; want the skip link to #main", first)
		}
		if p := b.Problems(); len(p) > 0 {
			t.Errorf("at %d px the browser reported:\n%s", width, strings.Join(p, "\n"))
		}
	}
}

// The harness above must be able to fail: an inline style, which the CSP forbids, is reported.
func TestTheBrowserHarnessReportsACSPViolation(t *testing.T) {
	srv, base := serve(t)
	web.AddTestRoute(srv, http.MethodGet, "/test/inline-style", func(c echo.Context) error {
		return c.HTML(http.StatusOK, `<!doctype html><title>x</title><p style="color:red">inline</p><script>document.title='ran'</script>`)
	})
	b := browsertest.New(t, 375, 600)
	b.Do(t, chromedp.Navigate(base+"/test/inline-style"))
	if title := browsertest.Eval[string](t, b, `document.title`); title == "ran" {
		t.Error("an inline script without the nonce ran")
	}
	if p := b.Problems(); !strings.Contains(strings.Join(p, "\n"), "Content Security Policy") {
		t.Errorf("no CSP violation reported; got %q", p)
	}
}
