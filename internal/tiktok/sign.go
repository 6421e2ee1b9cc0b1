package tiktok

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"sort"
)

// Sign computes the `sign` query parameter of a request to path with query and body: lower-case hex
// HMAC-SHA256, keyed by the app secret, of secret + path + key1 value1 key2 value2... (sorted by key, `sign` and
// `access_token` left out, values as sent before percent-encoding) + the raw body bytes + secret. body must be the
// exact bytes that will be sent; nil or empty means no body (never "{}"). A key with several values contributes
// each in order; the client itself never sends a key twice (ids are comma-joined once).
func Sign(secret, path string, query url.Values, body []byte) string {
	keys := make([]string, 0, len(query))
	for k := range query {
		if k == "sign" || k == "access_token" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)

	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(secret))
	mac.Write([]byte(path))
	for _, k := range keys {
		for _, v := range query[k] {
			mac.Write([]byte(k))
			mac.Write([]byte(v))
		}
	}
	mac.Write(body)
	mac.Write([]byte(secret))
	return hex.EncodeToString(mac.Sum(nil))
}

// WebhookSignature is what TikTok puts in a webhook's Authorization header: lower-case hex
// HMAC-SHA256(key = app secret, message = app key + raw body), with no wrapping and no "Bearer".
func WebhookSignature(appKey, secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(appKey))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifyWebhook reports whether authorization is the signature of body (the raw bytes as received), comparing in
// constant time. Call it before parsing anything in the body.
func VerifyWebhook(appKey, secret string, body []byte, authorization string) bool {
	if secret == "" {
		return false
	}
	want := WebhookSignature(appKey, secret, body)
	return subtle.ConstantTimeCompare([]byte(want), []byte(authorization)) == 1
}
