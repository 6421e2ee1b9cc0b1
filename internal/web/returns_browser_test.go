package web_test

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/profitline/profitline/internal/browsertest"
)

// A seller on a phone opens Returns, sees each open return's countdown tick down, and changes their alert
// settings; every page fits the screen and obeys the CSP.
func TestASellerFollowsAReturnsCountdownAndChangesTheAlerts(t *testing.T) {
	s := newShopSite(t)
	s.env.Clock.Set(time.Now()) // the browser drops cookies that expire before its own clock's now
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	base := "http://localhost:" + port

	const email = "returns-browser@example.com"
	s.syncedSeller(t, email)

	b := browsertest.New(t, 375, 800)
	b.Do(t, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", "a long enough passphrase"),
		chromedp.Click(`form[action="/login"] button[type=submit]`), chromedp.WaitVisible(`a.nav-link[href="/returns"]`),
		chromedp.Click(`a.nav-link[href="/returns"]`), browsertest.Shown("#returns-title"))
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('.returns-table tbody tr').length`); n == 0 {
		t.Fatal("/returns lists no open return")
	}
	// The script rewrites each countdown from the deadline: the first reads as time left and matches the
	// deadline within a minute.
	left := browsertest.Eval[float64](t, b, `(Number(document.querySelector('.countdown').dataset.deadline) - Date.now()/1000) / 60`)
	text := browsertest.Eval[string](t, b, `document.querySelector('.countdown').textContent`)
	if left <= 0 || !(strings.HasSuffix(text, " min") || strings.HasSuffix(text, " h")) {
		t.Errorf("the first countdown reads %q with %.0f minutes left", text, left)
	}
	if overflow := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth - window.innerWidth`); overflow > 0 {
		t.Errorf("at 375 px /returns is %d px wider than the screen", overflow)
	}

	b.Do(t, chromedp.Click(`a[href="/settings/alerts"]`), browsertest.Shown("#alerts-title"),
		chromedp.SetValue("#alerts-steps", "36, 2"), chromedp.Click(`#alerts-digest`),
		chromedp.Click(`form[action="/settings/alerts"] button[type=submit]`))
	browsertest.WaitFor(t, b, `location.search.includes("done=saved") && document.readyState === "complete"`)
	if v := browsertest.Eval[string](t, b, `document.querySelector('#alerts-steps').value`); v != "36, 2" {
		t.Errorf("after saving, the ladder reads %q; want 36, 2", v)
	}
	if !browsertest.Eval[bool](t, b, `document.querySelector('#alerts-digest').checked`) {
		t.Error("the digest is not on after turning it on")
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}
