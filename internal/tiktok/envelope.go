package tiktok

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// envelope is TikTok's response wrapper. Code is a pointer so a body without one is told apart from success.
type envelope struct {
	Code      *json.Number    `json:"code"`
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
}

// parseEnvelope reads a response: it returns data only when TikTok said code 0 with a 2xx status; anything else
// is an *APIError carrying the code, message, request id and class. It never panics on any input.
func parseEnvelope(status int, header http.Header, body []byte, now time.Time) (json.RawMessage, error) {
	env, decodeErr, ok := quickEnvelope(body)
	if !ok {
		env = envelope{}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		decodeErr = dec.Decode(&env)
	}

	apiErr := &APIError{HTTPStatus: status, RetryAfter: retryAfter(header, now)}
	if decodeErr == nil && env.Code != nil {
		code, err := env.Code.Int64()
		if err != nil || code < math.MinInt32 || code > math.MaxInt32 {
			apiErr.Message = "response code is not an integer"
			apiErr.Class = classify(0, status, "")
			return nil, apiErr
		}
		apiErr.Code, apiErr.Message, apiErr.RequestID = int(code), env.Message, env.RequestID
		if code == 0 && status >= 200 && status < 300 {
			return env.Data, nil
		}
		apiErr.Class = classify(apiErr.Code, status, env.Message)
		return nil, apiErr
	}
	// Not an envelope: a proxy's error page, an empty body, a redirect.
	switch {
	case status >= 300 && status < 400:
		apiErr.Message = "unexpected redirect" // its Location is not repeated: it could echo our query
	case decodeErr != nil:
		apiErr.Message = "response is not JSON"
	default:
		apiErr.Message = "response has no code"
	}
	apiErr.Class = classify(0, status, "")
	return nil, apiErr
}

// envelopeKeys are the envelope's keys as they are sent.
var envelopeKeys = []string{"code", "message", "request_id", "data"}

// asJSONValid checks JSON as json.Valid does (repeated keys and bytes that are not UTF-8 pass), in one pass that
// reads a string's plain run at once where json.Valid steps a state machine byte by byte.
var asJSONValid = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// quickEnvelope decodes a body that is one JSON object whose keys are spelled as TikTok spells them, as the decoder
// in parseEnvelope would, with one check of the body instead of two passes: every response of a sync is read here,
// and its data is then split without a check of its own (dataMembers). ok is false for any other body (a key in
// another case, a second value, not JSON): the decoder reads those.
func quickEnvelope(body []byte) (env envelope, decodeErr error, ok bool) {
	if i := skipSpace(body, 0); i >= len(body) || body[i] != '{' || !jsontext.Value(body).IsValid(asJSONValid...) {
		return envelope{}, nil, false
	}
	members, ok := orderedMembers(body)
	if !ok {
		return envelope{}, nil, false
	}
	for _, m := range members {
		var err error
		switch m.key {
		case "code":
			err = json.Unmarshal(m.value, &env.Code)
		case "message":
			err = json.Unmarshal(m.value, &env.Message)
		case "request_id":
			err = json.Unmarshal(m.value, &env.RequestID)
		case "data":
			env.Data = m.value
		default:
			for _, k := range envelopeKeys {
				if strings.EqualFold(m.key, k) {
					return envelope{}, nil, false // matched case-insensitively: the decoder's rules decide
				}
			}
		}
		if err != nil && decodeErr == nil {
			decodeErr = err
		}
	}
	return env, decodeErr, true
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date; 0 when absent or unreadable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, 3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), time.Hour)
	}
	return 0
}

// errNoData is returned when TikTok said success but sent no data for a call that needs some.
var errNoData = errors.New("response has no data")
