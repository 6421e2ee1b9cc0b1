package sandbox

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
)

// unselecting are the query parameters that say who asks and when, not what: two requests that differ only in
// these asked for the same page.
var unselecting = []string{"app_key", "timestamp", "sign", "access_token", "shop_cipher"}

// pageKey names the logical page a call asked for: method, path, the parameters that select data (sorted) and
// the body (with its keys sorted, so two clients that order a filter differently ask for the same page).
func pageKey(c *call) string {
	q := url.Values{}
	for k, v := range c.query {
		if !slices.Contains(unselecting, k) {
			q[k] = v
		}
	}
	key := c.r.Method + " " + c.r.URL.Path
	if len(q) > 0 {
		key += "?" + q.Encode() // sorted by key
	}
	if body := bytes.TrimSpace(c.body); len(body) > 0 {
		key += " " + canonicalJSON(body)
	}
	return key
}

// canonicalJSON re-encodes a JSON body with sorted keys and no spacing, numbers kept as sent; a body that is not
// JSON is kept as it is.
func canonicalJSON(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return string(body)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return string(body)
	}
	return string(b)
}

// countPage records a call that was answered with data, by the shop it was for and the page it asked for.
func (s *Sandbox) countPage(c *call) {
	cipher := ""
	if c.shop != nil {
		cipher = c.shop.cipher
	}
	key := pageKey(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pages[cipher] == nil {
		s.pages[cipher] = map[string]int{}
	}
	s.pages[cipher][key]++
}

// PageRequests counts the API requests for shopCipher that were answered with data, by logical page: method,
// path, the query parameters that select data (sorted; not app_key, timestamp, sign or shop_cipher) and the body.
// Two workers that each fetched one page of one search count 2 under its key. Answers that carried an error
// (a fault, a refused token or signature, a bad parameter) are not pages and are not counted.
func (s *Sandbox) PageRequests(shopCipher string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.pages[shopCipher])
}

// DuplicatePages lists, sorted, the pages of shopCipher that were fetched more than once.
func (s *Sandbox) DuplicatePages(shopCipher string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var dup []string
	for k, n := range s.pages[shopCipher] {
		if n > 1 {
			dup = append(dup, k)
		}
	}
	slices.Sort(dup)
	return dup
}
