package sandbox

import (
	"cmp"
	"slices"
	"sync"
	"testing"
	"time"
)

// naiveOrderSearch is the order search as the spec reads, with nothing cached or precomputed: every order of the
// shop whose update time as of now is in [ge, lt), by update time (ties in creation order), optionally reversed.
func naiveOrderSearch(sh *shop, now, ge, lt int64, desc bool) []string {
	var match []*order
	for _, o := range sh.orders {
		if _, up := o.status(now); up >= ge && up < lt {
			match = append(match, o)
		}
	}
	slices.SortStableFunc(match, func(a, b *order) int {
		_, ua := a.status(now)
		_, ub := b.status(now)
		return cmp.Compare(ua, ub)
	})
	if desc {
		slices.Reverse(match)
	}
	ids := make([]string, len(match))
	for i, o := range match {
		ids[i] = o.id
	}
	return ids
}

func naiveReturnSearch(sh *shop, now int64) []string {
	var match []*returnRecord
	for _, rt := range sh.returns {
		if _, ok := rt.at(now); ok {
			match = append(match, rt)
		}
	}
	slices.SortStableFunc(match, func(a, b *returnRecord) int {
		ea, _ := a.at(now)
		eb, _ := b.at(now)
		return cmp.Compare(ea.at, eb.at)
	})
	ids := make([]string, len(match))
	for i, rt := range match {
		ids[i] = rt.id
	}
	return ids
}

// Searches are cached per version of the shop's data: as the clock moves, orders progress and returns open, and
// every page must show the shop as of the request, exactly as an uncached search would.
func TestCachedSearchesFollowTheClockExactly(t *testing.T) {
	e := newEnv(t, nil)
	sh := e.sb.shops[0]
	ge, lt := testStart.Add(-60*24*time.Hour).Unix(), testStart.Add(90*24*time.Hour).Unix()
	for _, step := range []time.Duration{0, time.Second, 3 * 24 * time.Hour, 30 * 24 * time.Hour} {
		e.clk.Advance(step)
		e.token = mustTokens(t, e.sb).AccessToken // the last one may have expired
		now := e.clk.Now().Unix()
		for _, desc := range []bool{false, true} {
			r := ordersReq(e, 0, "100", map[string]any{"update_time_ge": ge, "update_time_lt": lt})
			r.params["sort_field"], r.params["sort_order"] = "update_time", map[bool]string{false: "ASC", true: "DESC"}[desc]
			orders, _, _ := pageAll[testOrder](e, r, "orders")
			got := make([]string, len(orders))
			for i, o := range orders {
				got[i] = o.ID
			}
			if want := naiveOrderSearch(sh, now, ge, lt, desc); !slices.Equal(got, want) {
				t.Fatalf("+%v desc=%v: %d orders served differ from the %d an uncached search finds", step, desc, len(got), len(want))
			}
		}
		r := req{method: "POST", path: "/return_refund/202309/returns/search", cipher: e.shops[0].Cipher,
			params: map[string]string{"page_size": "10", "sort_field": "update_time", "sort_order": "ASC"}}
		returns, _, _ := pageAll[struct {
			ID string `json:"return_id"`
		}](e, r, "return_orders")
		var got []string
		for _, rt := range returns {
			got = append(got, rt.ID)
		}
		if want := naiveReturnSearch(sh, now); !slices.Equal(got, want) {
			t.Fatalf("+%v: returns %v, want %v", step, got, want)
		}
	}
}

func TestAShopsVersionChangesExactlyWhenItsDataDoes(t *testing.T) {
	e := newEnv(t, nil)
	sh := e.sb.shops[0]
	// Over the next 300 changes (some weeks of the shop's future), nothing a search reads moves between two.
	from := e.clk.Now().Unix()
	for range 300 {
		v := sh.version(from)
		if v == len(sh.changes) {
			break
		}
		to := sh.changes[v] - 1 // the last second before the next change
		if to < from || sh.version(to) != v || sh.version(to+1) != v+1 {
			t.Fatalf("versions around %d..%d: %d, %d, %d", from, to+1, v, sh.version(to), sh.version(to+1))
		}
		for _, o := range sh.orders {
			s1, u1 := o.status(from)
			s2, u2 := o.status(to)
			if s1 != s2 || u1 != u2 || o.unsettled(from) != o.unsettled(to) {
				t.Fatalf("order %s changed between %d and %d, with no change listed", o.id, from, to)
			}
		}
		for _, rt := range sh.returns {
			e1, ok1 := rt.at(from)
			e2, ok2 := rt.at(to)
			if e1 != e2 || ok1 != ok2 {
				t.Fatalf("return %s changed between %d and %d, with no change listed", rt.id, from, to)
			}
		}
		from = to + 1
	}
}

// On a shop this big many orders share an update second; ties must come in creation order, as the stable sort
// the spec's sandbox promised, also where an order still changing meets one that no longer does.
func TestOrdersByUpdateTimeMatchAStableSortOnABigShop(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 30,000 orders")
	}
	e := newEnv(t, func(c *Config) { c.Shops, c.Days, c.OrdersPerDay = 1, 30, 1000 })
	sh := e.sb.shops[0]
	for _, step := range []time.Duration{0, 5 * 24 * time.Hour} {
		e.clk.Advance(step)
		now := e.clk.Now().Unix()
		var got []string
		for _, i := range sh.ordersByUpdate(now, func(*order, string, int64) bool { return true }) {
			got = append(got, sh.orders[i].id)
		}
		if want := naiveOrderSearch(sh, now, 0, 1<<40, false); !slices.Equal(got, want) {
			t.Fatalf("+%v: the %d orders by update time differ from a stable sort's %d", step, len(got), len(want))
		}
	}
}

func TestConcurrentPagingOfOneSearchServesOneResult(t *testing.T) {
	e := newEnv(t, nil)
	r := ordersReq(e, 0, "50", map[string]any{"update_time_ge": testStart.Add(-60 * 24 * time.Hour).Unix()})
	r.params["sort_field"], r.params["sort_order"] = "update_time", "ASC"
	const workers = 6
	results := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			orders, _, _ := pageAll[testOrder](e, r, "orders")
			for _, o := range orders {
				results[w] = append(results[w], o.ID)
			}
		})
	}
	wg.Wait()
	for w := 1; w < workers; w++ {
		if !slices.Equal(results[w], results[0]) {
			t.Fatalf("worker %d read %d orders, worker 0 read %d, in another order", w, len(results[w]), len(results[0]))
		}
	}
	pages := e.sb.PageRequests(e.shops[0].Cipher)
	for k, n := range pages {
		if n != workers {
			t.Errorf("%s fetched %d times, want %d", k, n, workers)
		}
	}
	if len(pages) != (len(results[0])+49)/50 || len(e.sb.DuplicatePages(e.shops[0].Cipher)) != len(pages) {
		t.Errorf("%d pages counted, %d duplicated, for %d orders", len(pages), len(e.sb.DuplicatePages(e.shops[0].Cipher)), len(results[0]))
	}
}
