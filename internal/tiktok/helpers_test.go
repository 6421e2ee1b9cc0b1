package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/clock"
)

const (
	testAppKey    = "6a1b2c3d4e5f6"
	testAppSecret = "s3cr3t-app-secret-9f8e7d"
	testCipher    = "ROW_dGVzdGNpcGhlcjEyMzQ1Njc4OTA"
	testToken     = "ROW_access_OLD_token_111"
)

var testShop = Shop{ID: "7494055357398567000", Cipher: testCipher}

// reply is one scripted answer of the fake TikTok.
type reply struct {
	status     int
	retryAfter string
	body       string
}

func ok(body string) reply { return reply{status: http.StatusOK, body: body} }

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// addFixtureRecords seeds a fuzz test with every record of the named fixtures.
func addFixtureRecords(f *testing.F, names ...string) {
	f.Helper()
	for _, name := range names {
		var env struct {
			Data map[string]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(fixture(f, name)), &env); err != nil {
			f.Fatal(err)
		}
		for _, list := range env.Data {
			var recs []json.RawMessage
			if json.Unmarshal(list, &recs) == nil {
				for _, r := range recs {
					f.Add([]byte(r))
				}
			}
		}
	}
}

func envelopeJSON(code int, message string) string {
	return fmt.Sprintf(`{"code":%d,"message":%q,"request_id":"20261122REQ%d","data":{}}`, code, message, code)
}

// seen is a request as the fake TikTok received it.
type seen struct {
	Method   string
	Path     string
	RawQuery string
	Query    url.Values
	Header   http.Header
	Body     []byte
}

// fakeTikTok answers with replies in order (the last one repeats), records every request, and fails the test on
// a request the endpoint table does not list or whose sign does not match the bytes received.
type fakeTikTok struct {
	t       testing.TB
	srv     *httptest.Server
	mu      sync.Mutex
	replies []reply
	reqs    []seen
}

func newFake(t testing.TB, replies ...reply) *fakeTikTok {
	f := &fakeTikTok{t: t, replies: replies}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTikTok) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s := seen{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	ep, known := matchEndpoint(r.Method, r.URL.Path)
	if !known {
		f.t.Errorf("the client sent %s %s, which the endpoint table does not list", r.Method, r.URL.Path)
	}
	if known && ep.Signed {
		if want := Sign(testAppSecret, r.URL.Path, s.Query, body); s.Query.Get("sign") != want {
			f.t.Errorf("%s %s: sign %s does not match the request received (want %s)", r.Method, r.URL.Path, s.Query.Get("sign"), want)
		}
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, s)
	n := len(f.reqs) - 1
	rep := f.replies[min(n, len(f.replies)-1)]
	f.mu.Unlock()
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

func (f *fakeTikTok) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// matchEndpoint finds the table entry for a request, placeholders matching any one path segment.
func matchEndpoint(method, path string) (Endpoint, bool) {
	for _, ep := range Endpoints() {
		if ep.Method != method {
			continue
		}
		want, got := strings.Split(ep.Path, "/"), strings.Split(path, "/")
		if len(want) != len(got) {
			continue
		}
		match := true
		for i := range want {
			if !strings.HasPrefix(want[i], "{") && want[i] != got[i] {
				match = false
				break
			}
		}
		if match {
			return ep, true
		}
	}
	return Endpoint{}, false
}

// fakeTokens is a TokenSource that hands out token and, on Refresh, fresh (or refreshErr).
type fakeTokens struct {
	mu         sync.Mutex
	token      string
	fresh      string
	refreshErr error
	rejected   []string
}

func (f *fakeTokens) Token(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.token, nil
}

func (f *fakeTokens) Refresh(_ context.Context, rejected string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejected = append(f.rejected, rejected)
	if f.refreshErr != nil {
		return "", f.refreshErr
	}
	f.token = f.fresh
	return f.fresh, nil
}

// harness is a client pointed at a fake TikTok, on a fake clock that sleeping advances.
type harness struct {
	client *Client
	seller *Seller
	fake   *fakeTikTok
	clock  *clock.Fake
	tokens *fakeTokens
	mu     sync.Mutex
	sleeps []time.Duration
}

var testStart = time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC)

func newHarness(t testing.TB, replies ...reply) *harness {
	t.Helper()
	h := &harness{fake: newFake(t, replies...), clock: clock.NewFake(testStart),
		tokens: &fakeTokens{token: testToken, fresh: "ROW_access_NEW_token_222"}}
	c, err := New(Config{
		APIBase:      h.fake.srv.URL,
		AuthBase:     h.fake.srv.URL + "/",
		AuthorizeURL: "https://services.tiktokshop.com/open/authorize",
		AppKey:       testAppKey,
		AppSecret:    testAppSecret,
		ServiceID:    "7310000000000000001",
	}, Options{Clock: h.clock, Sleep: h.sleep})
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	h.seller = c.Seller(h.tokens)
	return h
}

func (h *harness) sleep(ctx context.Context, d time.Duration) error {
	h.mu.Lock()
	h.sleeps = append(h.sleeps, d)
	h.mu.Unlock()
	h.clock.Advance(d)
	return ctx.Err()
}

func (h *harness) slept() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.sleeps...)
}
