package account

import (
	"encoding/hex"
	"errors"
	"net"
	"net/mail"
	"strings"
	"unicode"
)

// NormalizeEmail trims and lower-cases an address and checks it is one plain address (no display name, no list,
// no control characters), so that one mailbox has one blind index.
func NormalizeEmail(s string) (string, error) {
	bad := &FieldError{Field: "email", Message: "Enter an email address like name@example.com."}
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 254 || strings.IndexFunc(s, unicode.IsControl) >= 0 || strings.ContainsAny(s, " <>,;\"") {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") {
		return "", bad
	}
	return s, nil
}

// IPHint is the coarse network a session came from (/24 or /48), enough for a seller to recognise it.
func IPHint(ip string) string {
	a := net.ParseIP(ip)
	switch {
	case a == nil:
		return ""
	case a.To4() != nil:
		return (&net.IPNet{IP: a.To4().Mask(net.CIDRMask(24, 32)), Mask: net.CIDRMask(24, 32)}).String()
	default:
		return (&net.IPNet{IP: a.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
	}
}

// coarseUserAgent names the browser and platform only ("Firefox on Linux"), not the full fingerprintable string.
func coarseUserAgent(ua string) string {
	browser := "Unknown browser"
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, p := range []struct{ token, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, p.token) {
			return browser + " on " + p.name
		}
	}
	return browser
}

func hexBytes(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil, errors.New("account: not a session id")
	}
	return b, nil
}
