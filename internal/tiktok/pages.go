package tiktok

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// Shop is a shop the seller authorized. Cipher is what every shop-scoped call sends as shop_cipher.
type Shop struct {
	ID         string
	Name       string
	Region     string
	SellerType string // LOCAL or CROSS_BORDER
	Cipher     string
	Code       string
}

// pages streams a paginated read: it fetches one page, yields it, and asks for the next only when the caller
// wants it, following next_page_token until it is empty. It stops after the first error, and refuses a token
// that repeats (a loop at TikTok would otherwise be a loop here).
func pages[P any](ctx context.Context, token string, fetch func(ctx context.Context, token string) (P, string, error)) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		seen := map[string]bool{token: true}
		for {
			page, next, err := fetch(ctx, token)
			if !yield(page, err) || err != nil || next == "" {
				return
			}
			if seen[next] {
				var zero P
				yield(zero, fmt.Errorf("tiktok: the page token repeats after %d pages", len(seen)))
				return
			}
			seen[next], token = true, next
		}
	}
}

// pageSize checks a page size against an endpoint's range, defaulting to max.
func pageSize(n, lo, hi int) (string, error) {
	if n == 0 {
		n = hi
	}
	if n < lo || n > hi {
		return "", fmt.Errorf("page size %d is outside %d-%d", n, lo, hi)
	}
	return strconv.Itoa(n), nil
}

// setTime puts a Unix-seconds parameter in q, leaving out the zero time.
func setTime(q url.Values, key string, t time.Time) {
	if !t.IsZero() {
		q.Set(key, strconv.FormatInt(t.Unix(), 10))
	}
}

// unixField is a time in a request body: Unix seconds, left out when zero.
func unixField(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func oneOf(field, v string, allowed ...string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%s %q is not one of %v", field, v, allowed)
}

func shopCipher(shop Shop) error {
	if shop.Cipher == "" {
		return errors.New("tiktok: the shop has no cipher (list the authorized shops first)")
	}
	return nil
}

// pageWire is the paging part of every list response.
type pageWire struct {
	NextPageToken string `json:"next_page_token"`
	TotalCount    int64  `json:"total_count"`
}

// paging reads the paging keys of a decoded response, as decoding the whole of it into a pageWire would.
func paging(all map[string]json.RawMessage) (pageWire, error) {
	var pw pageWire
	if raw, ok := all["next_page_token"]; ok {
		if err := decodeRecord(raw, &pw.NextPageToken); err != nil {
			return pageWire{}, fmt.Errorf("next_page_token: %w", err)
		}
	}
	if raw, ok := all["total_count"]; ok {
		if err := decodeRecord(raw, &pw.TotalCount); err != nil {
			return pageWire{}, fmt.Errorf("total_count: %w", err)
		}
	}
	return pw, nil
}

// Malformed is a record of a page that could not be read. It is set aside and the rest of the page is read as
// usual: one record in a shape the client does not expect must not stop a sync of thousands. Keep Raw to read
// again once the client knows the shape.
type Malformed struct {
	ID  string          // the record's own id as best it can be found; "" when it has none
	Raw json.RawMessage // the record as received
	Err error           // what could not be read, naming the record and the field
}

// listShape is where a list response keeps its records, and where each record keeps its own id.
type listShape struct {
	keys  []string // the records are under the first of these present
	ownID string   // the key of a record's own id when another of idKeys comes first (a return also has an order_id)
}

// idKeys are where a record's id is looked for, in order, to name a record that could not be read.
var idKeys = []string{"id", "order_id", "return_id", "product_id"}

// listed is one page of a list as read: the records that parsed, those that did not, and the paging.
type listed[T any] struct {
	records   []T
	malformed []Malformed
	next      string
	total     int64
}

// list reads one page of a shop-scoped list: each record under the first of shape.keys present is handed to
// parse with the page's currency (for records that leave theirs out). A record parse refuses is set aside as
// Malformed; only a response whose envelope or list cannot be read fails the page.
func list[T any](ctx context.Context, s *Seller, shop Shop, c call, shape listShape,
	parse func(raw json.RawMessage, pageCurrency string) (T, error)) (listed[T], error) {
	name := endpoints[c.ep].Name
	if err := shopCipher(shop); err != nil {
		return listed[T]{}, err
	}
	c.cipher = shop.Cipher
	data, err := s.c.exec(ctx, s.tokens, c)
	if err != nil {
		return listed[T]{}, err
	}
	all, err := dataMembers(data)
	if err != nil {
		return listed[T]{}, fmt.Errorf("tiktok: %s: %w", name, err)
	}
	pw, err := paging(all)
	if err != nil {
		return listed[T]{}, fmt.Errorf("tiktok: %s: %w", name, err)
	}
	var raws []json.RawMessage
	for _, k := range shape.keys {
		if raw, ok := all[k]; ok {
			if raws, err = records(raw); err != nil {
				return listed[T]{}, fmt.Errorf("tiktok: %s: %s: %w", name, k, err)
			}
			break
		}
	}
	l := listed[T]{next: pw.NextPageToken, total: pw.TotalCount, records: make([]T, 0, len(raws))}
	cur := currencyOf(all)
	for _, raw := range raws {
		rec, err := parse(raw, cur)
		if err != nil {
			l.malformed = append(l.malformed, Malformed{ID: recordID(raw, shape.ownID), Raw: raw, Err: fmt.Errorf("tiktok: %s: %w", name, err)})
			continue
		}
		l.records = append(l.records, rec)
	}
	return l, nil
}

// recordID finds the id of a record that may not parse: under ownID first, then under idKeys; a string or a number.
func recordID(raw json.RawMessage, ownID string) string {
	var all map[string]json.RawMessage
	if decodeRecord(raw, &all) != nil {
		return ""
	}
	keys := idKeys
	if ownID != "" {
		keys = append([]string{ownID}, idKeys...)
	}
	for _, k := range keys {
		v, ok := all[k]
		if !ok {
			continue
		}
		if s, err := stringField(v); err == nil && s != "" {
			return s
		}
		var n json.Number // a number's own digits: encoding/json reads a json.Number, the record decoder does not
		if json.Unmarshal(v, &n) == nil && n != "" {
			return n.String()
		}
	}
	return ""
}

// ownCurrency adapts the parser of records that never need the page's currency.
func ownCurrency[T any](parse func(json.RawMessage) (T, error)) func(json.RawMessage, string) (T, error) {
	return func(raw json.RawMessage, _ string) (T, error) { return parse(raw) }
}
