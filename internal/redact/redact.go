// Package redact masks secrets and email addresses in free text (error messages, panic values) before it reaches a
// log line or error monitoring. It is the last line of defence: code should not put secrets in errors at all.
package redact

import "regexp"

var (
	// secretParam matches key=value and "key":"value" pairs whose key names a secret.
	secretParam = regexp.MustCompile(`(?i)((?:access_token|refresh_token|auth_code|code|app_secret|secret|password|` +
		`sign|token|authorization|cookie|x-tts-access-token)["']?\s*[=:]\s*["']?)[^\s&"',;]+`)
	email  = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	bearer = regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/\-]+=*`)
)

// Text returns s with secret-named parameters, bearer tokens and email addresses masked.
func Text(s string) string {
	if s == "" {
		return s
	}
	s = bearer.ReplaceAllString(s, "Bearer [redacted]") // first, or "Authorization: Bearer" loses only the word
	s = secretParam.ReplaceAllString(s, "${1}[redacted]")
	return email.ReplaceAllString(s, "[email]")
}
