package tiktok

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/profitline/profitline/internal/redact"
)

// Class says what the app should do about an API error.
type Class int

const (
	ClassOther        Class = iota // anything else: not retried; look at Code and Message
	ClassAuthExpired               // 105002: the access token expired; refresh and retry
	ClassAuthInvalid               // 36004004, 101000: the access token is invalid; a refresh may fix it
	ClassGrantGone                 // 36004001, 36004005: the seller must reconnect; stop every call for the shop
	ClassScopeMissing              // 105005: the seller must re-authorize with the scope we need
	ClassRateLimited               // 36009002, HTTP 429: slow down
	ClassServer                    // 36009003, HTTP 5xx: TikTok's trouble; reads are retried
	ClassBug                       // 106001, 106013, a rejected sign, timestamp, app key or shop cipher: our fault
	ClassIPNotAllowed              // 36009033: the server's IP is not on the app's allow list; alert the operator
)

var classNames = [...]string{"other", "access token expired", "access token invalid", "grant gone",
	"scope missing", "rate limited", "server error", "client bug", "IP not allowed"}

func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return fmt.Sprintf("Class(%d)", int(c))
	}
	return classNames[c]
}

// APIError is a call TikTok answered with a non-zero code, a non-2xx status or a body that is not its envelope.
type APIError struct {
	Code       int           // the envelope's code; 0 when there was no envelope
	Message    string        // TikTok's message
	RequestID  string        // TikTok's request id: quote it to TikTok support
	HTTPStatus int           // the HTTP status
	Class      Class         // what to do about it
	RetryAfter time.Duration // the Retry-After header, if any
}

func (e *APIError) Error() string {
	var b strings.Builder
	if e.Code != 0 {
		fmt.Fprintf(&b, "code %d", e.Code)
	} else {
		fmt.Fprintf(&b, "HTTP %d", e.HTTPStatus)
	}
	fmt.Fprintf(&b, " (%s)", e.Class)
	if e.Message != "" {
		// TikTok's own words, masked in case they ever echo a parameter back.
		msg := e.Message
		if len(msg) > 200 {
			msg = msg[:200] + "..."
		}
		fmt.Fprintf(&b, ": %s", redact.Text(msg))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request_id %s]", e.RequestID)
	}
	if e.Code != 0 && e.HTTPStatus != http.StatusOK {
		fmt.Fprintf(&b, " [HTTP %d]", e.HTTPStatus)
	}
	return b.String()
}

// ClassOf returns the Class of the APIError in err's chain, or ClassOther when there is none (a network error, a
// context cancellation, a malformed record).
func ClassOf(err error) Class {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Class
	}
	return ClassOther
}

// classify decides the class from TikTok's code, then from its message (for the overloaded 36009004), then from
// the HTTP status.
func classify(code, status int, message string) Class {
	switch code {
	case 105002:
		return ClassAuthExpired
	case 36004004, 101000:
		return ClassAuthInvalid
	case 36004001, 36004005:
		return ClassGrantGone
	case 105005:
		return ClassScopeMissing
	case 36009002:
		return ClassRateLimited
	case 36009003:
		return ClassServer
	case 106001, 106013:
		return ClassBug
	case 36009033:
		return ClassIPNotAllowed
	case 36009004:
		return classifyOverloaded(message)
	}
	switch {
	case status == http.StatusTooManyRequests:
		return ClassRateLimited
	case status >= 500:
		return ClassServer
	}
	return ClassOther
}

// classifyOverloaded reads 36009004's message: it means a bad signature, a stale timestamp, a bad app key or an
// unexpected shop cipher (all our bugs), or a bad access token (which a refresh may fix). The specific words are
// checked before "token", so "sign" in a message about the token's signature still reads as a bug.
func classifyOverloaded(message string) Class {
	m := strings.ToLower(message)
	for _, bug := range []string{"sign", "timestamp", "app_key", "app key", "appkey", "shop_cipher", "cipher"} {
		if strings.Contains(m, bug) {
			return ClassBug
		}
	}
	if strings.Contains(m, "token") {
		return ClassAuthInvalid
	}
	return ClassOther
}

// retryable reports whether a read that failed with class may succeed if sent again.
func (c Class) retryable() bool { return c == ClassRateLimited || c == ClassServer }
