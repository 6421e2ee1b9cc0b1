package tiktok

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxResponse bounds a response body: a page of 100 orders is well under a megabyte.
const maxResponse = 32 << 20

// call is one logical request: an endpoint from the table, its path arguments, its own query parameters (decoded
// values; the common ones are added per attempt) and its body, serialized once.
type call struct {
	ep     endpointID
	args   []string
	cipher string
	query  url.Values
	body   []byte
}

// commonParams are added by the client on every attempt; a call must not set them itself. access_token, shop_id
// and version must never be sent in a query at all.
var commonParams = []string{"app_key", "timestamp", "sign", "shop_cipher", "access_token", "shop_id", "version"}

// exec sends cl, retrying reads that hit rate limits or server errors, refreshing the access token once when TikTok
// says it expired, and returns the envelope's data.
func (c *Client) exec(ctx context.Context, tokens TokenSource, cl call) (json.RawMessage, error) {
	ep := &endpoints[cl.ep]
	path, err := ep.build(cl.args...)
	if err != nil {
		return nil, err
	}
	op := ep.Method + " " + path
	if ep.Signed {
		for _, p := range commonParams {
			if cl.query.Has(p) {
				return nil, fmt.Errorf("tiktok: %s: the call sets %s itself", op, p)
			}
		}
	}
	key := "app"
	if ep.ShopCipher {
		if cl.cipher == "" {
			return nil, fmt.Errorf("tiktok: %s: no shop cipher", op)
		}
		key = cl.cipher
	}
	var token string
	if ep.Signed {
		if tokens == nil {
			return nil, fmt.Errorf("tiktok: %s: no token source", op)
		}
		if token, err = tokens.Token(ctx); err != nil {
			return nil, fmt.Errorf("tiktok: %s: access token: %w", op, err)
		}
	}

	refreshed := false
	for attempt := 1; ; attempt++ {
		if err := c.wait(ctx, key); err != nil {
			return nil, fmt.Errorf("tiktok: %s: %w", op, err)
		}
		data, err := c.roundTrip(ctx, ep, path, cl, token)
		if err == nil {
			c.limiter.succeeded(key)
			return data, nil
		}
		var ae *APIError
		if errors.As(err, &ae) {
			if ae.Class == ClassRateLimited {
				c.limiter.throttled(key)
			}
			if ep.Signed && !refreshed && (ae.Class == ClassAuthExpired || ae.Class == ClassAuthInvalid) {
				refreshed = true
				if token, err = tokens.Refresh(ctx, token); err != nil {
					return nil, fmt.Errorf("tiktok: %s: refreshing the token after %v failed: %w", op, ae, grantGone(err))
				}
				attempt-- // the retry with a fresh token does not use up an attempt
				continue
			}
		}
		if !ep.Retry || attempt >= c.attempts || ctx.Err() != nil || (ae != nil && !ae.Class.retryable()) {
			return nil, fmt.Errorf("tiktok: %s: %w", op, err)
		}
		d := time.Duration(rand.Int64N(int64(c.backoff.ceiling(attempt)) + 1))
		if ae != nil && ae.RetryAfter > d {
			d = ae.RetryAfter
		}
		if err := c.sleep(ctx, d); err != nil {
			return nil, fmt.Errorf("tiktok: %s: %w", op, err)
		}
	}
}

// grantGone turns a refresh that TikTok refused as an auth problem into ClassGrantGone: when the refresh token
// itself is rejected, only the seller reconnecting helps. Other failures (network, 5xx) pass through unchanged, so
// a blip never makes the app throw a grant away.
func grantGone(err error) error {
	var ae *APIError
	if errors.As(err, &ae) && (ae.Class == ClassAuthInvalid || ae.Class == ClassAuthExpired) {
		gone := *ae
		gone.Class = ClassGrantGone
		return &gone
	}
	return err
}

// roundTrip sends one attempt: stamped and signed now, so that a retry never carries a stale timestamp.
func (c *Client) roundTrip(ctx context.Context, ep *Endpoint, path string, cl call, token string) (json.RawMessage, error) {
	q := url.Values{}
	for k, v := range cl.query {
		q[k] = v
	}
	base := c.authBase
	if ep.Host == HostAPI {
		base = c.apiBase
	}
	if ep.Signed {
		q.Set("app_key", c.cfg.AppKey)
		q.Set("timestamp", strconv.FormatInt(c.clock.Now().Unix(), 10))
		if ep.ShopCipher {
			q.Set("shop_cipher", cl.cipher)
		}
		q.Set("sign", Sign(c.cfg.AppSecret, path, q, cl.body))
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, ep.Method, base+path+"?"+q.Encode(), body)
	if err != nil {
		return nil, errors.New("cannot build the request") // the URL may hold secrets: not repeated
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "profitline")
	if ep.Signed {
		req.Header.Set("x-tts-access-token", token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error repeats the URL, whose query holds the app secret and code on token calls: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if len(raw) > maxResponse {
		return nil, &APIError{HTTPStatus: resp.StatusCode, Class: ClassOther, Message: "response larger than 32 MiB"}
	}
	return parseEnvelope(resp.StatusCode, resp.Header, raw, c.clock.Now())
}

// dataMembers splits an envelope's data, an object, into its members; parseEnvelope's decode checked it.
func dataMembers(data json.RawMessage) (map[string]json.RawMessage, error) {
	if len(bytes.TrimSpace(data)) == 0 || string(bytes.TrimSpace(data)) == "null" {
		return nil, errNoData
	}
	return objectMembers(data)
}

// decodeData reads an envelope's data into out, keeping numbers exact.
func decodeData(data json.RawMessage, out any) error {
	if len(bytes.TrimSpace(data)) == 0 || string(bytes.TrimSpace(data)) == "null" {
		return errNoData
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(out)
}
