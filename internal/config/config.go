// Package config reads Profitline's settings from the environment into one typed struct and validates them before
// anything starts. Secrets may come from a file named by the variable with a _FILE suffix, and never print.
//
// It must never read the environment anywhere else: every other package receives what it needs from Config.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/profitline/profitline/internal/password"
	"github.com/profitline/profitline/internal/vault"
)

// Env says whether Profitline runs for a developer or for sellers.
type Env string

// The environments.
const (
	Dev  Env = "dev"
	Prod Env = "prod"
)

// Secret is a string that never prints. Use Reveal where the value itself is needed.
type Secret string

// String redacts the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString redacts the secret in %#v too.
func (s Secret) GoString() string { return s.String() }

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// Config is every setting Profitline reads.
type Config struct {
	Env Env

	// ListenAddr is where the HTTP server listens (BIND_HOST and PORT).
	ListenAddr string
	// PublicURL is the address sellers use, e.g. https://app.profitline.io.
	PublicURL *url.URL

	// DatabaseURL connects as the application role: not the table owner, not a superuser, no BYPASSRLS.
	DatabaseURL Secret
	// MigrateDatabaseURL connects as the owner role that applies migrations.
	MigrateDatabaseURL Secret
	// RedisURL locates Redis (rate limits, revocation flags).
	RedisURL Secret
	// RedisKeyPrefix namespaces every key, so environments (and test runs) can share one Redis.
	RedisKeyPrefix string

	// DataKeys is the key ring that wraps every tenant's data key; nil when not configured (dev fills it in).
	DataKeys *vault.KeyRing
	// SessionKeys seals session cookies; a ring of its own, so the two rotate independently.
	SessionKeys *vault.KeyRing
	// EmailIndexKey keys the blind index that finds an account by email without storing the address in clear.
	// Changing it orphans every account's index: it does not rotate.
	EmailIndexKey Secret

	// TLSCertFile and TLSKeyFile make the server terminate TLS itself.
	TLSCertFile string
	TLSKeyFile  string
	// TrustedProxies are the peers whose X-Forwarded-For and X-Forwarded-Proto headers are believed.
	TrustedProxies []netip.Prefix

	// Argon2 holds the password hashing cost for new hashes; stored hashes name their own and are upgraded on
	// sign-in when they differ.
	Argon2 password.Params

	// TikTok is where TikTok Shop lives and who we are to it. Empty in dev means: run the sandbox.
	TikTok TikTok

	// DemoEmail and DemoPassword sign in the demo seller that `make run` creates (dev only).
	DemoEmail    string
	DemoPassword Secret

	// ResendAPIKey sends mail through Resend; without it (dev only) mail goes to the dev outbox at /dev/mail.
	ResendAPIKey  Secret
	ResendBaseURL string
	MailFrom      string

	// SellerWebhooksAllowPrivate lets sellers' outgoing webhooks use http and reach loopback and private
	// addresses (a local test endpoint). Dev only: in prod it is always false, so a webhook cannot be aimed at the
	// app's own network.
	SellerWebhooksAllowPrivate bool

	SentryDSN Secret
	LogLevel  string

	ShutdownTimeout time.Duration

	// MetricsAddr is where /metrics (and a /healthz) is served, on a listener of its own, never the public one;
	// empty means nowhere. A dev default of 127.0.0.1:0 picks a free loopback port, logged at start.
	MetricsAddr string
	// MetricsToken, when set, must come as "Authorization: Bearer <token>" to read /metrics. Prod requires it when
	// MetricsAddr is not a loopback address.
	MetricsToken Secret

	Sync Sync
}

// Sync holds the SYNC_* settings of the sync engine.
type Sync struct {
	Backfill     time.Duration // SYNC_BACKFILL: how far back a shop's first sync of orders and returns reaches
	RunBudget    time.Duration // SYNC_RUN_BUDGET: how long one sync job reads before handing over to the next
	Every        time.Duration // SYNC_EVERY: how often orders, returns and products are synced
	FinanceEvery time.Duration // SYNC_FINANCE_EVERY: how often statements, payments and the rest are synced
}

// TikTok holds the TIKTOK_* settings.
type TikTok struct {
	APIBase, AuthBase, AuthorizeURL string
	AppKey, ServiceID               string
	AppSecret                       Secret
	// WebhookSecret signs TikTok's webhooks; TIKTOK_WEBHOOK_SECRET, else the app secret.
	WebhookSecret Secret
	// ShopRate is TIKTOK_SHOP_RATE: requests per second the client makes for one shop at full speed (TikTok's
	// documented default is 10; a sandbox benchmark raises it to take the limit out of the measurement).
	ShopRate float64
}

// Configured reports whether real TikTok credentials are set.
func (t TikTok) Configured() bool { return t.AppKey != "" }

// Getenv looks up one environment variable; os.Getenv in production, a map in tests.
type Getenv func(string) string

// FromOS loads the configuration from the process environment.
func FromOS() (*Config, error) { return Load(os.Getenv, os.ReadFile) }

// Load reads and validates the configuration. Every problem is reported at once, one per line.
func Load(getenv Getenv, readFile func(string) ([]byte, error)) (*Config, error) {
	r := reader{getenv: getenv, readFile: readFile}
	c := &Config{}

	switch env := Env(r.str("PROFITLINE_ENV", string(Dev))); env {
	case Dev, Prod:
		c.Env = env
	default:
		r.fail("PROFITLINE_ENV must be dev or prod, got %q", env)
	}

	port := r.str("PORT", "8080")
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		r.fail("PORT must be a number from 1 to 65535, got %q", port)
	}
	defaultHost := ""
	if c.Env == Dev {
		defaultHost = "127.0.0.1"
	}
	c.ListenAddr = net.JoinHostPort(r.str("BIND_HOST", defaultHost), port)

	defaultPublic := ""
	if c.Env == Dev {
		defaultPublic = "http://localhost:" + port
	}
	if raw := r.str("PUBLIC_URL", defaultPublic); raw == "" {
		r.fail("PUBLIC_URL is required in prod (the https address sellers use)")
	} else if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail("PUBLIC_URL must be an absolute http(s) URL, got %q", raw)
	} else {
		c.PublicURL = u
	}

	c.DatabaseURL = r.secret("DATABASE_URL")
	c.MigrateDatabaseURL = r.secret("MIGRATE_DATABASE_URL")
	c.RedisURL = r.secret("REDIS_URL")
	c.RedisKeyPrefix = r.str("REDIS_KEY_PREFIX", "profitline:")
	if spec := r.secret("PROFITLINE_DATA_KEYS"); spec != "" {
		ring, err := vault.ParseKeyRing(spec.Reveal())
		if err != nil {
			r.fail("PROFITLINE_DATA_KEYS: %v", err)
		}
		c.DataKeys = ring
	}
	if spec := r.secret("SESSION_KEYS"); spec != "" {
		ring, err := vault.ParseKeyRing(spec.Reveal())
		if err != nil {
			r.fail("SESSION_KEYS: %v", err)
		}
		c.SessionKeys = ring
	}

	c.TLSCertFile = r.str("TLS_CERT_FILE", "")
	c.TLSKeyFile = r.str("TLS_KEY_FILE", "")
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		r.fail("TLS_CERT_FILE and TLS_KEY_FILE must be set together")
	}
	for _, p := range splitList(r.str("TRUSTED_PROXIES", "")) {
		prefix, err := parsePrefix(p)
		if err != nil {
			r.fail("TRUSTED_PROXIES: %q is not an IP address or CIDR range", p)
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix)
	}

	if c.EmailIndexKey = r.secret("EMAIL_INDEX_KEY"); c.EmailIndexKey != "" {
		if b, err := base64.StdEncoding.DecodeString(c.EmailIndexKey.Reveal()); err != nil || len(b) != 32 {
			r.fail("EMAIL_INDEX_KEY must be 32 random bytes in standard base64 (e.g. `openssl rand -base64 32`)")
		}
	}
	c.Argon2 = password.DefaultParams
	c.Argon2.Memory = uint32(r.number("ARGON2_MEMORY_KIB", int(c.Argon2.Memory), 8*1024, 1<<20))
	c.Argon2.Iterations = uint32(r.number("ARGON2_ITERATIONS", int(c.Argon2.Iterations), 1, 10))
	c.Argon2.Parallelism = uint8(r.number("ARGON2_PARALLELISM", int(c.Argon2.Parallelism), 1, 16))

	c.TikTok = TikTok{
		APIBase:      r.str("TIKTOK_API_BASE", "https://open-api.tiktokglobalshop.com"),
		AuthBase:     r.str("TIKTOK_AUTH_BASE", "https://auth.tiktok-shops.com"),
		AuthorizeURL: r.str("TIKTOK_AUTHORIZE_URL", "https://services.tiktokshop.com/open/authorize"),
		AppKey:       r.str("TIKTOK_APP_KEY", ""),
		ServiceID:    r.str("TIKTOK_SERVICE_ID", ""),
		AppSecret:    r.secret("TIKTOK_APP_SECRET"),
	}
	if c.TikTok.WebhookSecret = r.secret("TIKTOK_WEBHOOK_SECRET"); c.TikTok.WebhookSecret == "" {
		c.TikTok.WebhookSecret = c.TikTok.AppSecret
	}
	c.TikTok.ShopRate = r.positive("TIKTOK_SHOP_RATE", 10)
	if c.TikTok.Configured() && (c.TikTok.AppSecret == "" || c.TikTok.ServiceID == "") {
		r.fail("TIKTOK_APP_KEY is set, so TIKTOK_APP_SECRET and TIKTOK_SERVICE_ID must be too")
	}

	c.DemoEmail = r.str("DEMO_EMAIL", "demo@profitline.test")
	if c.DemoPassword = r.secret("DEMO_PASSWORD"); c.DemoPassword == "" {
		c.DemoPassword = "sell-smarter-every-day"
	}

	c.ResendAPIKey = r.secret("RESEND_API_KEY")
	c.ResendBaseURL = r.str("RESEND_BASE_URL", "")
	c.MailFrom = r.str("MAIL_FROM", "Profitline <mail@localhost>")

	c.SellerWebhooksAllowPrivate = c.Env == Dev

	c.SentryDSN = r.secret("SENTRY_DSN")
	switch c.LogLevel = strings.ToLower(r.str("LOG_LEVEL", "info")); c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		r.fail("LOG_LEVEL must be debug, info, warn or error, got %q", c.LogLevel)
	}
	c.ShutdownTimeout = r.duration("SHUTDOWN_TIMEOUT", 15*time.Second)

	c.readMetrics(&r, port)
	c.Sync = Sync{
		Backfill:     r.duration("SYNC_BACKFILL", 90*24*time.Hour),
		RunBudget:    r.duration("SYNC_RUN_BUDGET", 2*time.Minute),
		Every:        r.duration("SYNC_EVERY", 10*time.Minute),
		FinanceEvery: r.duration("SYNC_FINANCE_EVERY", time.Hour),
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"SYNC_BACKFILL", c.Sync.Backfill}, {"SYNC_RUN_BUDGET", c.Sync.RunBudget}, {"SYNC_EVERY", c.Sync.Every}, {"SYNC_FINANCE_EVERY", c.Sync.FinanceEvery}} {
		if d.v <= 0 {
			r.fail("%s must be a positive duration, got %s", d.name, d.v)
		}
	}

	if c.Env == Prod {
		c.validateProd(&r)
	}
	if len(r.errs) > 0 {
		return nil, fmt.Errorf("configuration is invalid:\n  %s", strings.Join(r.errs, "\n  "))
	}
	return c, nil
}

// validateProd refuses settings that are fine on a laptop but unsafe with sellers' data.
func (c *Config) validateProd(r *reader) {
	if c.DatabaseURL == "" {
		r.fail("DATABASE_URL is required in prod")
	}
	if c.RedisURL == "" {
		r.fail("REDIS_URL is required in prod (there is no in-process fallback outside dev)")
	}
	if c.DataKeys == nil {
		r.fail("PROFITLINE_DATA_KEYS (or PROFITLINE_DATA_KEYS_FILE) is required in prod; create one with `profitline keys generate`")
	}
	if c.EmailIndexKey == "" {
		r.fail("EMAIL_INDEX_KEY (or EMAIL_INDEX_KEY_FILE) is required in prod")
	}
	if !c.TikTok.Configured() {
		r.fail("TIKTOK_APP_KEY, TIKTOK_APP_SECRET and TIKTOK_SERVICE_ID are required in prod (the sandbox is for dev only)")
	}
	if c.SessionKeys == nil {
		r.fail("SESSION_KEYS (or SESSION_KEYS_FILE) is required in prod; create one with `profitline keys generate`")
	}
	if c.ResendAPIKey == "" || r.getenv("MAIL_FROM") == "" {
		r.fail("RESEND_API_KEY and MAIL_FROM are required in prod: sellers must get their mail")
	}
	if c.PublicURL != nil && c.PublicURL.Scheme != "https" {
		r.fail("PUBLIC_URL must be https in prod, got %q", c.PublicURL.String())
	}
	if c.TLSCertFile == "" && len(c.TrustedProxies) == 0 {
		r.fail("prod needs TLS: set TLS_CERT_FILE and TLS_KEY_FILE, or TRUSTED_PROXIES for the proxy that terminates TLS")
	}
	for _, p := range c.TrustedProxies {
		if p.Bits() == 0 {
			r.fail("TRUSTED_PROXIES must not contain %s: it would trust every client's forwarded headers", p)
		}
	}
	if c.MetricsAddr != "" && c.MetricsToken == "" && !isLoopback(c.MetricsAddr) {
		r.fail("METRICS_ADDR %s is not a loopback address, so METRICS_TOKEN (or METRICS_TOKEN_FILE) is required in prod", c.MetricsAddr)
	}
}

// readMetrics reads METRICS_ADDR and METRICS_TOKEN: on by default in dev (a free loopback port), off in prod.
func (c *Config) readMetrics(r *reader, publicPort string) {
	def := ""
	if c.Env == Dev {
		def = "127.0.0.1:0"
	}
	c.MetricsAddr = r.str("METRICS_ADDR", def)
	c.MetricsToken = r.secret("METRICS_TOKEN")
	if c.MetricsAddr != "" {
		_, port, err := net.SplitHostPort(c.MetricsAddr)
		n, perr := strconv.Atoi(port)
		switch {
		case err != nil || perr != nil || n < 0 || n > 65535:
			r.fail("METRICS_ADDR must be host:port, such as 127.0.0.1:9090, got %q", c.MetricsAddr)
		case port == publicPort:
			r.fail("METRICS_ADDR must not use PORT (%s): metrics are served on a listener of their own", publicPort)
		}
	}
	switch {
	case c.MetricsToken == "":
	case c.MetricsAddr == "":
		r.fail("METRICS_TOKEN is set but METRICS_ADDR is not, so metrics are served nowhere")
	case len(c.MetricsToken) < 32:
		r.fail("METRICS_TOKEN must be at least 32 characters (e.g. `openssl rand -hex 32`)")
	}
}

// isLoopback reports whether host:port listens on loopback only (an empty host means every interface).
func isLoopback(hostPort string) bool {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// Summary lists the settings for a start-up log line, with every secret redacted.
func (c *Config) Summary() []any {
	return []any{
		"env", c.Env,
		"listen", c.ListenAddr,
		"public_url", c.PublicURL.String(),
		"database", RedactURL(c.DatabaseURL.Reveal()),
		"redis", RedactURL(c.RedisURL.Reveal()),
		"data_keys", ringSummary(c.DataKeys),
		"session_keys", ringSummary(c.SessionKeys),
		"tls", c.TLSCertFile != "",
		"trusted_proxies", len(c.TrustedProxies),
		"mail", c.mailTransport(),
		"tiktok", c.TikTok.APIBase,
		"sentry", c.SentryDSN != "",
		"metrics", c.metricsSummary(),
	}
}

func (c *Config) metricsSummary() string {
	switch {
	case c.MetricsAddr == "":
		return "off"
	case c.MetricsToken != "":
		return c.MetricsAddr + " (token required)"
	default:
		return c.MetricsAddr
	}
}

func (c *Config) mailTransport() string {
	if c.ResendAPIKey != "" {
		return "resend"
	}
	return "dev outbox (/dev/mail)"
}

func ringSummary(r *vault.KeyRing) string {
	if r == nil {
		return "unset"
	}
	return r.String()
}

// RedactURL hides the password of a connection URL, keeping what helps an operator (host, user, database).
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparseable, redacted]"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "redacted")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "redacted")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

type reader struct {
	getenv   Getenv
	readFile func(string) ([]byte, error)
	errs     []string
}

func (r *reader) fail(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret reads NAME, or the file named by NAME_FILE; setting both is a mistake worth stopping for.
func (r *reader) secret(name string) Secret {
	direct, file := r.getenv(name), strings.TrimSpace(r.getenv(name+"_FILE"))
	switch {
	case direct != "" && file != "":
		r.fail("%s and %s_FILE are both set; set one", name, name)
		return ""
	case file != "":
		b, err := r.readFile(file)
		if err != nil {
			r.fail("%s_FILE: cannot read %s: %v", name, file, errors.Unwrap(err))
			return ""
		}
		return Secret(strings.TrimSpace(string(b)))
	default:
		return Secret(strings.TrimSpace(direct))
	}
}

func (r *reader) number(name string, def, lo, hi int) int {
	raw := r.str(name, "")
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		r.fail("%s must be a whole number from %d to %d, got %q", name, lo, hi, raw)
		return def
	}
	return n
}

// positive reads a number above zero, such as 10 or 2.5.
func (r *reader) positive(name string, def float64) float64 {
	raw := r.str(name, "")
	if raw == "" {
		return def
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f <= 0 {
		r.fail("%s must be a positive number such as 10, got %q", name, raw)
		return def
	}
	return f
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	raw := r.str(name, "")
	if raw == "" {
		return def
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		r.fail("%s must be a positive duration such as 15s, got %q", name, raw)
		return def
	}
	return d
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
