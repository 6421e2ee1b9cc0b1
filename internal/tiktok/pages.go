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

// list reads one page of a shop-scoped list: the records under the first of listKeys present, each
// handed to add with the page's currency (for records that leave theirs out).
func (s *Seller) list(ctx context.Context, shop Shop, ep endpointID, args []string, query url.Values, body []byte,
	listKeys []string, add func(raw json.RawMessage, pageCurrency string) error) (string, int64, error) {
	name := endpoints[ep].Name
	if err := shopCipher(shop); err != nil {
		return "", 0, err
	}
	data, err := s.c.exec(ctx, s.tokens, call{ep: ep, args: args, cipher: shop.Cipher, query: query, body: body})
	if err != nil {
		return "", 0, err
	}
	var pw pageWire
	var all map[string]json.RawMessage
	if err := decodeData(data, &pw); err != nil {
		return "", 0, fmt.Errorf("tiktok: %s: %w", name, err)
	}
	if err := decodeData(data, &all); err != nil {
		return "", 0, fmt.Errorf("tiktok: %s: %w", name, err)
	}
	var list []json.RawMessage
	for _, k := range listKeys {
		if raw, ok := all[k]; ok {
			if list, err = records(raw); err != nil {
				return "", 0, fmt.Errorf("tiktok: %s: %s: %w", name, k, err)
			}
			break
		}
	}
	cur := currencyOf(all)
	for _, raw := range list {
		if err := add(raw, cur); err != nil {
			return "", 0, fmt.Errorf("tiktok: %s: %w", name, err)
		}
	}
	return pw.NextPageToken, pw.TotalCount, nil
}
