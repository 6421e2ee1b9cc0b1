package tiktok

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestOrderPagesStreamOnePageAtATime(t *testing.T) {
	first := fixture(t, "orders_search.json")
	last := strings.Replace(first, `"next_page_token":"aDU2dGRsR3p+L3pYb2I="`, `"next_page_token":""`, 1)
	h := newHarness(t, ok(first), ok(last))
	var pages int
	for page, err := range h.seller.OrderPages(context.Background(), testShop, OrderQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if got := len(h.fake.requests()); got != pages {
			t.Fatalf("%d requests made by page %d: pages are not fetched lazily", got, pages)
		}
		if page.TotalCount != 2 {
			t.Errorf("total count %d", page.TotalCount)
		}
	}
	reqs := h.fake.requests()
	if pages != 2 || len(reqs) != 2 {
		t.Fatalf("%d pages from %d requests", pages, len(reqs))
	}
	if reqs[0].Query.Has("page_token") || reqs[1].Query.Get("page_token") != "aDU2dGRsR3p+L3pYb2I=" {
		t.Errorf("page tokens %q then %q", reqs[0].Query.Get("page_token"), reqs[1].Query.Get("page_token"))
	}
}

func TestStoppingEarlyFetchesNoMorePages(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "orders_search.json")))
	for range h.seller.OrderPages(context.Background(), testShop, OrderQuery{}) {
		break
	}
	if n := len(h.fake.requests()); n != 1 {
		t.Fatalf("%d requests", n)
	}
}

func TestARepeatingPageTokenEndsTheStream(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "orders_search.json"))) // always the same next_page_token
	var errs int
	pages := 0
	for _, err := range h.seller.OrderPages(context.Background(), testShop, OrderQuery{}) {
		pages++
		if err != nil {
			errs++
		}
		if pages > 5 {
			t.Fatal("the stream loops")
		}
	}
	if errs != 1 || len(h.fake.requests()) != 2 {
		t.Fatalf("%d errors after %d requests", errs, len(h.fake.requests()))
	}
}

func TestAFailedPageEndsTheStreamWithItsError(t *testing.T) {
	h := newHarness(t, ok(fixture(t, "orders_search.json")), ok(envelopeJSON(105005, "scope not granted")))
	var last error
	for _, err := range h.seller.OrderPages(context.Background(), testShop, OrderQuery{}) {
		last = err
	}
	if ClassOf(last) != ClassScopeMissing {
		t.Fatalf("last error %v", last)
	}
}

func TestTheShopLimiterHalvesOnRateLimitAndRecoversSlowly(t *testing.T) {
	h := newHarness(t, ok("{}"))
	l := h.client.limiter
	l.reserve("shop-a")
	l.throttled("shop-a")
	if got := l.currentRate("shop-a"); got != 5 {
		t.Fatalf("rate after one 429: %v", got)
	}
	for range 10 {
		l.throttled("shop-a")
	}
	if got := l.currentRate("shop-a"); got != minRate {
		t.Fatalf("rate after many 429s: %v, want the floor %v", got, minRate)
	}
	if got := l.currentRate("shop-b"); got != 10 {
		t.Errorf("another shop was slowed: %v", got)
	}
	l.succeeded("shop-a")
	if got := l.currentRate("shop-a"); got <= minRate || got > minRate+0.5 {
		t.Errorf("rate after one success: %v", got)
	}
	for range 200 {
		l.succeeded("shop-a")
	}
	if got := l.currentRate("shop-a"); got != 10 {
		t.Errorf("rate after many successes: %v, want full speed", got)
	}
}

func TestTheShopLimiterSpacesRequestsBeyondTheBurst(t *testing.T) {
	h := newHarness(t, ok("{}"))
	l := h.client.limiter
	for i := range 10 {
		if d := l.reserve("shop-a"); d != 0 {
			t.Fatalf("request %d within the burst waits %v", i, d)
		}
	}
	if d := l.reserve("shop-a"); d != 100*time.Millisecond {
		t.Fatalf("the 11th request waits %v, want 100ms at 10/s", d)
	}
	if d := l.reserve("app"); d != 0 {
		t.Fatalf("another key waits %v", d)
	}
	h.clock.Advance(time.Second)
	if d := l.reserve("shop-a"); d != 0 {
		t.Fatalf("after a second the shop still waits %v", d)
	}
}
