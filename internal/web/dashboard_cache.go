package web

import (
	"container/list"
	"sync"
	"time"
)

// lru is a small in-process cache bounded by a budget of bytes (each entry says what it weighs), dropping the
// least recently used entries first. An entry may also expire at a time. Correctness never rests on it: callers
// put everything an entry depends on into its key (for the dashboard, the seller's profit version), so an entry
// is either right or never asked for again.
type lru[K comparable, V any] struct {
	mu     sync.Mutex
	budget int
	used   int
	order  *list.List // front: most recently used
	items  map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key     K
	value   V
	size    int
	expires time.Time // zero: never
}

func newLRU[K comparable, V any](budget int) *lru[K, V] {
	return &lru[K, V]{budget: budget, order: list.New(), items: map[K]*list.Element{}}
}

// get returns the value under k unless it is missing or expired at now.
func (c *lru[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[k]
	if !ok {
		return zero, false
	}
	e := el.Value.(*lruEntry[K, V])
	if !e.expires.IsZero() && !now.Before(e.expires) {
		c.remove(el)
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.value, true
}

// put keeps v under k, weighing size bytes, until expires (zero: until evicted). An entry larger than the whole
// budget is not kept.
func (c *lru[K, V]) put(k K, v V, size int, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.remove(el)
	}
	if size > c.budget {
		return
	}
	c.items[k] = c.order.PushFront(&lruEntry[K, V]{key: k, value: v, size: size, expires: expires})
	c.used += size
	for c.used > c.budget {
		c.remove(c.order.Back())
	}
}

func (c *lru[K, V]) remove(el *list.Element) {
	e := c.order.Remove(el).(*lruEntry[K, V])
	delete(c.items, e.key)
	c.used -= e.size
}

// len is how many entries the cache holds.
func (c *lru[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
