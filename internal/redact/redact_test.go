package redact

import (
	"strings"
	"testing"
)

func TestTextMasksSecretsAndEmails(t *testing.T) {
	cases := map[string]string{
		"refresh failed: refresh_token=abc.def-123 status=401":      "refresh failed: refresh_token=[redacted] status=401",
		`{"access_token":"tok_1","expire":5}`:                       `{"access_token":"[redacted]","expire":5}`,
		"GET /oauth/callback?code=xyz&state=abc":                    "GET /oauth/callback?code=[redacted]&state=abc",
		"Authorization: Bearer eyJhbGciOi.payload.sig":              "Authorization: [redacted] [redacted]",
		"mail to jane.doe+shop@example.co.uk bounced":               "mail to [email] bounced",
		"password: hunter2, user 7":                                 "password: [redacted], user 7",
		"nothing to hide here, order 576461413238887":               "nothing to hide here, order 576461413238887",
		"x-tts-access-token=TTP_abc sign=0f3a app_secret=s3cr3t ok": "x-tts-access-token=[redacted] sign=[redacted] app_secret=[redacted] ok",
	}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

func FuzzTextNeverKeepsASecretValue(f *testing.F) {
	f.Add("token=abcdef")
	f.Add(`"password": "p4ss"`)
	f.Fuzz(func(t *testing.T, value string) {
		if strings.ContainsAny(value, " \t\r\n\v\f&\"',;=:") || len(value) < 4 {
			return
		}
		out := Text("password=" + value)
		if strings.Contains(out, value) {
			t.Fatalf("Text kept %q: %q", value, out)
		}
	})
}
