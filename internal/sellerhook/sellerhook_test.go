package sellerhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/sellerhook"
)

func TestASignatureVerifiesOnlyWithItsSecretBodyAndTime(t *testing.T) {
	at := time.Unix(1773480000, 0)
	body := []byte(`{"text":"Return due"}`)
	sig := sellerhook.Sign("plwhsec_one", at, body)
	if !strings.HasPrefix(sig, "t=1773480000,v1=") || len(sig) != len("t=1773480000,v1=")+64 {
		t.Fatalf("signature %q", sig)
	}
	if err := sellerhook.Verify("plwhsec_one", sig, body, at.Add(time.Minute), 5*time.Minute); err != nil {
		t.Errorf("a good signature: %v", err)
	}
	for name, c := range map[string]struct {
		secret, header string
		body           []byte
		now            time.Time
		want           error
	}{
		"another secret":  {"plwhsec_two", sig, body, at, sellerhook.ErrSignature},
		"another body":    {"plwhsec_one", sig, []byte(`{"text":"Return due!"}`), at, sellerhook.ErrSignature},
		"another time":    {"plwhsec_one", strings.Replace(sig, "t=1773480000", "t=1773480001", 1), body, at, sellerhook.ErrSignature},
		"no signature":    {"plwhsec_one", "t=1773480000", body, at, sellerhook.ErrSignature},
		"garbage":         {"plwhsec_one", "v1=zz", body, at, sellerhook.ErrSignature},
		"replayed later":  {"plwhsec_one", sig, body, at.Add(6 * time.Minute), sellerhook.ErrStale},
		"from the future": {"plwhsec_one", sig, body, at.Add(-6 * time.Minute), sellerhook.ErrStale},
	} {
		if err := sellerhook.Verify(c.secret, c.header, c.body, c.now, 5*time.Minute); !errors.Is(err, c.want) {
			t.Errorf("%s: %v; want %v", name, err, c.want)
		}
	}
}

func TestNewSecretsAreRandomAndRecognisable(t *testing.T) {
	a, err := sellerhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sellerhook.NewSecret()
	if a == b || !strings.HasPrefix(a, "plwhsec_") || len(a) != len("plwhsec_")+43 {
		t.Errorf("secrets %q and %q", a, b)
	}
}

func TestAWebhookURLIsRefusedWithTheReason(t *testing.T) {
	for raw, want := range map[string]error{
		"":                                    sellerhook.ErrURLEmpty,
		"   ":                                 sellerhook.ErrURLEmpty,
		"hooks.slack.com/services/T0/B0/x":    sellerhook.ErrURLSyntax,
		"https://exa mple.com/":               sellerhook.ErrURLSyntax,
		"mailto:ops@example.com":              sellerhook.ErrURLSyntax,
		"http://hooks.example.com/x":          sellerhook.ErrURLScheme,
		"ftp://hooks.example.com/x":           sellerhook.ErrURLScheme,
		"https:///path":                       sellerhook.ErrURLNoHost,
		"https://user:pw@hooks.example.com/x": sellerhook.ErrURLUserInfo,
		"https://hooks.example.com/x#frag":    sellerhook.ErrURLFragment,
		"https://hooks.example.com:0/x":       sellerhook.ErrURLPortRange,
		"https://localhost/x":                 sellerhook.ErrURLPrivate,
		"https://127.0.0.1:8443/x":            sellerhook.ErrURLPrivate,
		"https://10.1.2.3/x":                  sellerhook.ErrURLPrivate,
		"https://192.168.1.10/x":              sellerhook.ErrURLPrivate,
		"https://169.254.169.254/latest":      sellerhook.ErrURLPrivate,
		"https://[::1]/x":                     sellerhook.ErrURLPrivate,
		"https://[fd00:ec2::254]/x":           sellerhook.ErrURLPrivate,
		"https://metadata/computeMetadata":    sellerhook.ErrURLPrivate,
		"https://printer.local/x":             sellerhook.ErrURLPrivate,
		"https://" + strings.Repeat("a", sellerhook.MaxURLLen) + ".com": sellerhook.ErrURLTooLong,
	} {
		if _, err := sellerhook.ValidateURL(raw, false); !errors.Is(err, want) {
			t.Errorf("ValidateURL(%.40q) = %v; want %v", raw, err, want)
		}
	}
	for _, ok := range []string{"https://hooks.slack.com/services/T000/B000/XXXX", " https://example.com:8443/hook?token=abc "} {
		if _, err := sellerhook.ValidateURL(ok, false); err != nil {
			t.Errorf("ValidateURL(%q) = %v", ok, err)
		}
	}
	// Development and tests allow a local endpoint, over http too.
	if u, err := sellerhook.ValidateURL("http://127.0.0.1:4000/hook", true); err != nil || u != "http://127.0.0.1:4000/hook" {
		t.Errorf("a local endpoint where allowed: %q, %v", u, err)
	}
}

func TestOnlyPublicAddressesAreAllowed(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34": true, "2606:4700::1111": true,
		"127.0.0.1": false, "10.0.0.1": false, "172.16.5.4": false, "192.168.0.1": false, "169.254.169.254": false,
		"100.100.100.200": false, "0.0.0.0": false, "255.255.255.255": false, "224.0.0.1": false, "::1": false,
		"::": false, "fe80::1": false, "fd00:ec2::254": false, "::ffff:127.0.0.1": false, "64:ff9b::a00:1": false,
	} {
		if got := sellerhook.Allowed(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Allowed(%s) = %v; want %v", addr, got, want)
		}
	}
}

// answering is an endpoint that answers every request with status (and a Location, for a redirect).
func answering(t *testing.T, status int) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status/100 == 3 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
		fmt.Fprint(w, strings.Repeat("token=leaked ", 1000))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/services/T000/B000/secret-part"
}

func TestTheTransportRetriesOnlyWhatMaySucceedLater(t *testing.T) {
	tr := sellerhook.NewTransport(sellerhook.TransportOptions{AllowPrivate: true})
	for status, permanent := range map[int]bool{
		200: false, 204: false,
		500: false, 502: false, 503: false, 408: false, 429: false,
		400: true, 401: true, 403: true, 404: true, 410: true, 422: true, 301: true, 307: true,
	} {
		got, err := tr.Post(context.Background(), answering(t, status), nil, []byte(`{}`))
		if got != status {
			t.Errorf("%d: status %d (a redirect must not be followed)", status, got)
		}
		if (err == nil) != (status/100 == 2) || errors.Is(err, sellerhook.ErrPermanent) != permanent {
			t.Errorf("%d: %v; want permanent %v", status, err, permanent)
		}
		if err != nil && (strings.Contains(err.Error(), "secret-part") || strings.Contains(err.Error(), "leaked") || len(err.Error()) > 400) {
			t.Errorf("%d: the error quotes the URL or an unredacted, unbounded answer: %q", status, err)
		}
	}
	// Nobody listening is worth a retry, and the error does not quote the URL.
	_, err := tr.Post(context.Background(), "http://127.0.0.1:1/services/secret-part", nil, []byte(`{}`))
	if err == nil || errors.Is(err, sellerhook.ErrPermanent) || strings.Contains(err.Error(), "secret-part") {
		t.Errorf("a closed port: %v", err)
	}
}

func TestTheTransportRefusesToDialPrivateAddressesUnlessAllowed(t *testing.T) {
	var hit atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit.Store(true) }))
	t.Cleanup(srv.Close)
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	tr := sellerhook.NewTransport(sellerhook.TransportOptions{})
	// By address, and by a name that resolves to it: the check is on the address dialled, after DNS.
	for _, u := range []string{srv.URL + "/hook", "http://localhost:" + port + "/hook"} {
		if _, err := tr.Post(context.Background(), u, nil, []byte(`{}`)); !errors.Is(err, sellerhook.ErrForbiddenAddress) ||
			!errors.Is(err, sellerhook.ErrPermanent) {
			t.Errorf("%s: %v; want refused for good", u, err)
		}
	}
	if hit.Load() {
		t.Error("the private endpoint was reached")
	}
}

// ExampleVerify is how a seller's endpoint checks a delivery: the Profitline-Signature header against the body as
// received and the secret shown in Settings -> Alerts.
func ExampleVerify() {
	secret := "plwhsec_example"
	body := []byte(`{"text":"Return due Sat 14 Mar 10:00 UTC (1 h left)"}`)
	sentAt := time.Unix(1773480000, 0)
	header := sellerhook.Sign(secret, sentAt, body)

	fmt.Println(sellerhook.Verify(secret, header, body, sentAt.Add(30*time.Second), 5*time.Minute))
	fmt.Println(sellerhook.Verify(secret, header, []byte(`{"text":"forged"}`), sentAt, 5*time.Minute))
	// Output:
	// <nil>
	// sellerhook: the signature does not match the body
}

func TestMessageTextFromDataIsEscapedAndClippedToSlacksLimits(t *testing.T) {
	long := strings.Repeat("SKU<1>&", 200)
	m := sellerhook.Message{Blocks: []sellerhook.Block{sellerhook.Header(long), sellerhook.Fields("SKU", long)}}
	if n := len([]rune(m.Blocks[0].Text.Text)); n != 150 {
		t.Errorf("a header of %d characters; Slack takes 150", n)
	}
	f := m.Blocks[1].Fields[0].Text
	if !strings.HasPrefix(f, "*SKU*\nSKU&lt;1&gt;&amp;") || strings.Contains(f, "<") || len([]rune(f)) > 2000 {
		t.Errorf("field %.60q… (%d characters)", f, len([]rune(f)))
	}
}
