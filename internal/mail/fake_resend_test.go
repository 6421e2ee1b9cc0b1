package mail_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// fakeResend plays Resend's POST /emails: it records every request, answers the scripted error statuses first, then
// accepts, and, like Resend, answers a repeated idempotency key with the first answer without sending again.
type fakeResend struct {
	URL string

	mu         sync.Mutex
	script     []int
	requests   []fakeRequest
	accepted   map[string]string // idempotency key -> email id
	deliveries []fakeRequest     // what a real provider would have sent: one per accepted key
}

type fakeRequest struct {
	IdempotencyKey string
	Authorization  string
	ContentType    string
	Status         int
	Body           struct {
		From    string   `json:"from"`
		To      []string `json:"to"`
		Subject string   `json:"subject"`
		Text    string   `json:"text"`
		HTML    string   `json:"html"`
	}
}

var errorNames = map[int]string{
	http.StatusTooManyRequests:     "rate_limit_exceeded",
	http.StatusInternalServerError: "internal_server_error",
	http.StatusUnprocessableEntity: "validation_error",
}

func newFakeResend(t *testing.T, script ...int) *fakeResend {
	f := &fakeResend{script: script, accepted: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *fakeResend) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/emails" {
		http.NotFound(w, r)
		return
	}
	req := fakeRequest{
		IdempotencyKey: r.Header.Get("Idempotency-Key"),
		Authorization:  r.Header.Get("Authorization"),
		ContentType:    r.Header.Get("Content-Type"),
	}
	if err := json.NewDecoder(r.Body).Decode(&req.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if len(f.script) > 0 {
		req.Status, f.script = f.script[0], f.script[1:]
		f.requests = append(f.requests, req)
		w.WriteHeader(req.Status)
		// Resend's messages can quote the request; the transport must redact before storing.
		fmt.Fprintf(w, `{"statusCode":%d,"name":%q,"message":"cannot send to %s right now"}`,
			req.Status, errorNames[req.Status], req.Body.To[0])
		return
	}
	req.Status = http.StatusOK
	f.requests = append(f.requests, req)
	id, seen := f.accepted[req.IdempotencyKey]
	if !seen {
		id = fmt.Sprintf("email-%d", len(f.accepted)+1)
		f.accepted[req.IdempotencyKey] = id
		f.deliveries = append(f.deliveries, req)
	}
	fmt.Fprintf(w, `{"id":%q}`, id)
}

func (f *fakeResend) snapshot() (requests, deliveries []fakeRequest) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...), append([]fakeRequest(nil), f.deliveries...)
}
