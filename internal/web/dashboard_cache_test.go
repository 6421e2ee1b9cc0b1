package web

import (
	"testing"
	"time"
)

func TestTheCacheKeepsWithinItsBudgetDroppingTheLeastRecentlyUsed(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	c := newLRU[string, int](100)
	c.put("a", 1, 40, time.Time{})
	c.put("b", 2, 40, time.Time{})
	if _, ok := c.get("a", now); !ok { // a is now the most recently used
		t.Fatal("a is missing")
	}
	c.put("c", 3, 40, time.Time{}) // over budget: b goes
	if _, ok := c.get("b", now); ok {
		t.Error("b, the least recently used, was kept over the budget")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.get(k, now); !ok {
			t.Errorf("%s was dropped", k)
		}
	}
	c.put("huge", 4, 101, time.Time{})
	if _, ok := c.get("huge", now); ok || c.len() != 2 {
		t.Errorf("an entry larger than the budget was kept, or evicted others (%d entries)", c.len())
	}
	c.put("a", 5, 40, time.Time{}) // replacing an entry does not count it twice
	if v, _ := c.get("a", now); v != 5 || c.used != 80 {
		t.Errorf("a = %d, %d bytes used; want 5 and 80", v, c.used)
	}

	c.put("soon", 6, 10, now.Add(time.Minute))
	if _, ok := c.get("soon", now.Add(59*time.Second)); !ok {
		t.Error("an entry expired early")
	}
	if _, ok := c.get("soon", now.Add(time.Minute)); ok {
		t.Error("an entry outlived its expiry")
	}
}
