package config

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/vault"
)

func load(env map[string]string, files map[string]string) (*Config, error) {
	return Load(func(k string) string { return env[k] }, func(name string) ([]byte, error) {
		if v, ok := files[name]; ok {
			return []byte(v), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	})
}

func newKeySpec(t *testing.T) string {
	t.Helper()
	spec, err := vault.GenerateKeySpec(1)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func TestDevDefaultsServeLocalhost(t *testing.T) {
	c, err := load(map[string]string{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != Dev || c.ListenAddr != "127.0.0.1:8080" || c.PublicURL.String() != "http://localhost:8080" {
		t.Fatalf("dev defaults = env %s, listen %s, public %s", c.Env, c.ListenAddr, c.PublicURL)
	}
	c, err = load(map[string]string{"PORT": "9090"}, nil)
	if err != nil || c.ListenAddr != "127.0.0.1:9090" || c.PublicURL.String() != "http://localhost:9090" {
		t.Fatalf("PORT=9090: %v, %v", c, err)
	}
}

func TestProdRefusesToStartWithoutSecretsOrTLS(t *testing.T) {
	_, err := load(map[string]string{"PROFITLINE_ENV": "prod", "PUBLIC_URL": "http://app.example.com"}, nil)
	if err == nil {
		t.Fatal("prod started with nothing configured")
	}
	for _, want := range []string{"DATABASE_URL", "REDIS_URL", "PROFITLINE_DATA_KEYS", "SESSION_KEYS", "EMAIL_INDEX_KEY", "TIKTOK_APP_KEY, TIKTOK_APP_SECRET", "RESEND_API_KEY and MAIL_FROM", "PUBLIC_URL must be https", "prod needs TLS"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

// prodEnv is a complete prod configuration.
func prodEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{
		"PROFITLINE_ENV":       "prod",
		"PUBLIC_URL":           "https://app.example.com",
		"DATABASE_URL":         "postgres://app:pw@db/profitline",
		"REDIS_URL":            "redis://cache:6379/0",
		"PROFITLINE_DATA_KEYS": newKeySpec(t),
		"SESSION_KEYS":         newKeySpec(t),
		"EMAIL_INDEX_KEY":      "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
		"RESEND_API_KEY":       "re_test_key",
		"MAIL_FROM":            "Profitline <mail@example.com>",
		"TIKTOK_APP_KEY":       "29a39d",
		"TIKTOK_APP_SECRET":    "e59af819cc",
		"TIKTOK_SERVICE_ID":    "7300000000000000001",
		"TRUSTED_PROXIES":      "10.0.0.0/8, 192.168.1.7",
	}
}

func TestProdStartsWhenEverythingIsSet(t *testing.T) {
	env := prodEnv(t)
	c, err := load(env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 2 || c.TrustedProxies[1].String() != "192.168.1.7/32" {
		t.Fatalf("trusted proxies = %v", c.TrustedProxies)
	}
	if c.ListenAddr != ":8080" {
		t.Fatalf("prod listens on %q; want all interfaces", c.ListenAddr)
	}
	env["TRUSTED_PROXIES"] = "0.0.0.0/0"
	if _, err := load(env, nil); err == nil || !strings.Contains(err.Error(), "would trust every client") {
		t.Fatalf("trusting every address: err = %v", err)
	}
}

func TestAMissingOrShortKeyStopsStartUpWithAClearMessage(t *testing.T) {
	cases := map[string]struct {
		spec string
		want string
	}{
		"short key":  {"1:" + strings.Repeat("A", 22), "need 32"},
		"no id":      {"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=", "PROFITLINE_DATA_KEYS"},
		"bad base64": {"1:!!!!", "PROFITLINE_DATA_KEYS"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := load(map[string]string{"PROFITLINE_DATA_KEYS": tc.spec}, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want it to mention %q", err, tc.want)
			}
		})
	}
	_, err := load(map[string]string{"PROFITLINE_ENV": "prod"}, nil)
	if err == nil || !strings.Contains(err.Error(), "PROFITLINE_DATA_KEYS (or PROFITLINE_DATA_KEYS_FILE) is required") {
		t.Fatalf("prod without keys: err = %v", err)
	}
}

func TestSecretsComeFromFilesToo(t *testing.T) {
	spec := newKeySpec(t)
	c, err := load(map[string]string{"PROFITLINE_DATA_KEYS_FILE": "/run/secrets/keys", "DATABASE_URL_FILE": "/run/secrets/db"},
		map[string]string{"/run/secrets/keys": spec + "\n", "/run/secrets/db": "postgres://app:pw@db/x\n"})
	if err != nil {
		t.Fatal(err)
	}
	if c.DataKeys == nil || c.DatabaseURL.Reveal() != "postgres://app:pw@db/x" {
		t.Fatalf("from files: keys %v, db %q", c.DataKeys, c.DatabaseURL.Reveal())
	}
	_, err = load(map[string]string{"DATABASE_URL": "a", "DATABASE_URL_FILE": "/b"}, nil)
	if err == nil || !strings.Contains(err.Error(), "both set") {
		t.Fatalf("both set: err = %v", err)
	}
	_, err = load(map[string]string{"DATABASE_URL_FILE": "/missing"}, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot read /missing") {
		t.Fatalf("missing file: err = %v", err)
	}
}

func TestPrintingTheConfigRevealsNoSecret(t *testing.T) {
	spec := newKeySpec(t)
	c, err := load(map[string]string{
		"DATABASE_URL":         "postgres://app:hunter2pw@db/profitline",
		"REDIS_URL":            "redis://:redispw@cache:6379/0",
		"SENTRY_DSN":           "https://publickey@sentry.example.com/1",
		"RESEND_API_KEY":       "re_secret_resend",
		"TIKTOK_APP_KEY":       "appkey1",
		"TIKTOK_APP_SECRET":    "tiktok-app-secret-xyz",
		"TIKTOK_SERVICE_ID":    "svc",
		"PROFITLINE_DATA_KEYS": spec,
		"METRICS_TOKEN":        "metrics-token-that-is-long-enough-42",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := spec[strings.IndexByte(spec, ':')+1:]
	for _, out := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", *c), fmt.Sprint(c.Summary()...)} {
		for _, secret := range []string{"hunter2pw", "redispw", "publickey", "re_secret_resend", "tiktok-app-secret-xyz", "metrics-token-that", key} {
			if strings.Contains(out, secret) {
				t.Errorf("printed config contains a secret %q:\n%s", secret, out)
			}
		}
	}
	if got := RedactURL("postgres://app:pw@db:5432/x?sslmode=require"); got != "postgres://app:redacted@db:5432/x?sslmode=require" {
		t.Errorf("RedactURL = %q", got)
	}
}

func TestBadValuesAreNamedOnePerLine(t *testing.T) {
	_, err := load(map[string]string{"PROFITLINE_ENV": "staging", "PORT": "http", "LOG_LEVEL": "loud", "TLS_CERT_FILE": "/c", "ARGON2_ITERATIONS": "0"}, nil)
	if err == nil {
		t.Fatal("bad values accepted")
	}
	for _, want := range []string{`PROFITLINE_ENV must be dev or prod, got "staging"`, `PORT must be a number`, `LOG_LEVEL must be`, `TLS_CERT_FILE and TLS_KEY_FILE`, `ARGON2_ITERATIONS must be a whole number from 1 to 10, got "0"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
}

func TestMetricsListenOnAFreeLoopbackPortInDevAndNowhereInProdByDefault(t *testing.T) {
	c, err := load(map[string]string{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "127.0.0.1:0" || c.MetricsToken != "" {
		t.Fatalf("dev metrics = %q (token %v); want 127.0.0.1:0 without a token", c.MetricsAddr, c.MetricsToken != "")
	}
	if c, err = load(prodEnv(t), nil); err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "" {
		t.Fatalf("prod metrics = %q by default; want off", c.MetricsAddr)
	}
}

func TestProdServesMetricsBeyondLoopbackOnlyWithAToken(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	for addr, wantOK := range map[string]bool{
		"127.0.0.1:9090": true,
		"localhost:9090": true,
		"[::1]:9090":     true,
		":9090":          false,
		"0.0.0.0:9090":   false,
		"10.1.2.3:9090":  false,
	} {
		env := prodEnv(t)
		env["METRICS_ADDR"] = addr
		c, err := load(env, nil)
		if wantOK && (err != nil || c.MetricsAddr != addr) {
			t.Errorf("METRICS_ADDR=%s without a token: %v; want it accepted", addr, err)
		}
		if !wantOK && (err == nil || !strings.Contains(err.Error(), "METRICS_TOKEN (or METRICS_TOKEN_FILE) is required")) {
			t.Errorf("METRICS_ADDR=%s without a token: err = %v; want a token required", addr, err)
		}
		env["METRICS_TOKEN"] = token
		if c, err := load(env, nil); err != nil || c.MetricsToken.Reveal() != token {
			t.Errorf("METRICS_ADDR=%s with a token: %v", addr, err)
		}
	}
	// The token is a secret like the others: from a file too.
	env := prodEnv(t)
	env["METRICS_ADDR"], env["METRICS_TOKEN_FILE"] = ":9090", "/run/secrets/metrics"
	c, err := load(env, map[string]string{"/run/secrets/metrics": token + "\n"})
	if err != nil || c.MetricsToken.Reveal() != token {
		t.Fatalf("METRICS_TOKEN_FILE: token %v, err %v", c != nil && c.MetricsToken.Reveal() == token, err)
	}
}

func TestBadMetricsSettingsAreRefused(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"no port":        {map[string]string{"METRICS_ADDR": "9090"}, "METRICS_ADDR must be host:port"},
		"bad port":       {map[string]string{"METRICS_ADDR": "127.0.0.1:http"}, "METRICS_ADDR must be host:port"},
		"public port":    {map[string]string{"METRICS_ADDR": "127.0.0.1:8080"}, "METRICS_ADDR must not use PORT (8080)"},
		"short token":    {map[string]string{"METRICS_TOKEN": "s3cret"}, "METRICS_TOKEN must be at least 32 characters"},
		"both token set": {map[string]string{"METRICS_TOKEN": "a", "METRICS_TOKEN_FILE": "/b"}, "METRICS_TOKEN and METRICS_TOKEN_FILE are both set"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := load(tc.env, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want it to say %q", err, tc.want)
			}
		})
	}
	env := prodEnv(t)
	env["METRICS_TOKEN"] = "0123456789abcdef0123456789abcdef"
	if _, err := load(env, nil); err == nil || !strings.Contains(err.Error(), "METRICS_TOKEN is set but METRICS_ADDR is not") {
		t.Fatalf("a token with metrics off: err = %v", err)
	}
}

func TestSyncSettingsHaveDefaultsAndRefuseNonPositiveDurations(t *testing.T) {
	c, err := load(map[string]string{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Sync{Backfill: 90 * 24 * time.Hour, RunBudget: 2 * time.Minute, Every: 10 * time.Minute, FinanceEvery: time.Hour}); c.Sync != want {
		t.Fatalf("sync defaults %+v; want %+v", c.Sync, want)
	}
	if c, err = load(map[string]string{"SYNC_BACKFILL": "720h", "SYNC_RUN_BUDGET": "30s"}, nil); err != nil || c.Sync.Backfill != 30*24*time.Hour || c.Sync.RunBudget != 30*time.Second {
		t.Fatalf("SYNC_BACKFILL=720h SYNC_RUN_BUDGET=30s gave %+v, %v", c.Sync, err)
	}
	_, err = load(map[string]string{"SYNC_EVERY": "0s", "SYNC_FINANCE_EVERY": "-1h"}, nil)
	for _, want := range []string{"SYNC_EVERY must be a positive duration", "SYNC_FINANCE_EVERY must be a positive duration"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

func TestTikTokShopRateDefaultsToTenAndRefusesWhatIsNotAPositiveNumber(t *testing.T) {
	c, err := load(map[string]string{}, nil)
	if err != nil || c.TikTok.ShopRate != 10 {
		t.Fatalf("default TIKTOK_SHOP_RATE = %v, %v; want 10", c.TikTok.ShopRate, err)
	}
	if c, err = load(map[string]string{"TIKTOK_SHOP_RATE": "2.5"}, nil); err != nil || c.TikTok.ShopRate != 2.5 {
		t.Fatalf("TIKTOK_SHOP_RATE=2.5 gave %v, %v", c.TikTok.ShopRate, err)
	}
	for _, raw := range []string{"0", "-1", "fast", "NaN", "+Inf"} {
		if _, err := load(map[string]string{"TIKTOK_SHOP_RATE": raw}, nil); err == nil || !strings.Contains(err.Error(), "TIKTOK_SHOP_RATE must be a positive number") {
			t.Errorf("TIKTOK_SHOP_RATE=%s: err = %v", raw, err)
		}
	}
}

func TestSellerWebhooksMayReachPrivateAddressesInDevOnly(t *testing.T) {
	dev, err := load(map[string]string{}, nil)
	if err != nil || !dev.SellerWebhooksAllowPrivate {
		t.Fatalf("dev: %v, allow private %v; want allowed (local test endpoints)", err, dev != nil && dev.SellerWebhooksAllowPrivate)
	}
	prod, err := load(prodEnv(t), nil)
	if err != nil || prod.SellerWebhooksAllowPrivate {
		t.Fatalf("prod: %v; private addresses must be refused", err)
	}
}
