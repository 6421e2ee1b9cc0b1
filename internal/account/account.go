// Package account is how sellers sign up, confirm their address, sign in and out, and change or reset their
// password or email. It owns the rules (rate limits, password policy, single-use links, audit entries) and leaves
// HTTP to the web package.
//
// It must never reveal whether an address has an account, store an address or a token in clear, or let a link be
// used twice.
package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/password"
	"github.com/profitline/profitline/internal/ratelimit"
	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/systemdb"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// Config configures the service.
type Config struct {
	EmailIndexKey []byte // 32 bytes: keys the blind index of addresses
	Password      password.Params
	PublicURL     *url.URL // links in mails point here
	// MaxConcurrentHashes caps argon2 runs at once (each takes Password.Memory); 0 means 4.
	MaxConcurrentHashes int
}

// Service runs the account flows.
type Service struct {
	st       *store.Store
	sessions *session.Manager
	limiter  *ratelimit.Limiter
	queue    mail.Inserter
	clock    clock.Clock
	cfg      Config
	log      *slog.Logger
	hashing  chan struct{}
}

// New builds the service.
func New(st *store.Store, sessions *session.Manager, limiter *ratelimit.Limiter, queue mail.Inserter, clk clock.Clock, cfg Config, log *slog.Logger) (*Service, error) {
	if len(cfg.EmailIndexKey) != 32 {
		return nil, errors.New("account: the email index key must be 32 bytes")
	}
	if cfg.PublicURL == nil {
		return nil, errors.New("account: no public URL for links")
	}
	if cfg.MaxConcurrentHashes <= 0 {
		cfg.MaxConcurrentHashes = 4
	}
	return &Service{st: st, sessions: sessions, limiter: limiter, queue: queue, clock: clk, cfg: cfg, log: log,
		hashing: make(chan struct{}, cfg.MaxConcurrentHashes)}, nil
}

// The rate limits. Sign-in is limited per (account, client) pair tightly and per account loosely, so one attacker
// cannot lock a seller out, yet guessing across many addresses from one client stops too.
var (
	ruleSignInPair    = ratelimit.Rule{Name: "signin-pair", Limit: 5, Per: 15 * time.Minute}
	ruleSignInAccount = ratelimit.Rule{Name: "signin-account", Limit: 50, Per: time.Hour}
	ruleSignInClient  = ratelimit.Rule{Name: "signin-client", Limit: 30, Per: 15 * time.Minute}
	ruleSignUpClient  = ratelimit.Rule{Name: "signup-client", Limit: 10, Per: time.Hour}
	ruleResetClient   = ratelimit.Rule{Name: "reset-client", Limit: 10, Per: time.Hour}
	ruleResetAccount  = ratelimit.Rule{Name: "reset-account", Limit: 3, Per: time.Hour}
	ruleVerifyMail    = ratelimit.Rule{Name: "verify-mail", Limit: 3, Per: time.Hour}
)

// Lifetimes of the links mailed to sellers.
const (
	verifyLinkTTL = 48 * time.Hour
	resetLinkTTL  = time.Hour
)

// Client identifies the browser making a request: its address (for rate limits and the coarse hint shown in the
// sessions list) and user agent.
type Client struct {
	IP        string
	UserAgent string
}

func (c Client) meta() session.Meta {
	return session.Meta{UserAgent: coarseUserAgent(c.UserAgent), IPHint: IPHint(c.IP)}
}

// Problem is an answer the web layer shows the seller as it is: its message is a sentence for them.
type Problem struct{ Message string }

func (p *Problem) Error() string { return p.Message }

// The answers that are the same whatever went wrong underneath, so they reveal nothing.
var (
	ErrInvalidCredentials = &Problem{"That email and password do not match an account."}
	ErrLinkInvalid        = &Problem{"This link is invalid, was already used, or has expired."}
	ErrWrongPassword      = &Problem{"That is not your current password."}
)

// FieldError is a problem with one form field, in words for the seller.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// RateLimitedError says to wait before trying again.
type RateLimitedError struct{ RetryAfter time.Duration }

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("Too many attempts. Try again in %s.", e.RetryAfter.Round(time.Second))
}

// allow applies rate limit rules, failing open (with a log line) when Redis is unreachable: sellers can still sign in
// during a Redis outage, and argon2's cost still bounds guessing.
func (s *Service) allow(ctx context.Context, checks ...limitCheck) error {
	for _, c := range checks {
		d, err := s.limiter.Allow(ctx, c.rule, c.key)
		if err != nil {
			s.log.Warn("account: rate limiter unavailable; allowing", "rule", c.rule.Name, "err", err)
			continue
		}
		if !d.Allowed {
			return &RateLimitedError{RetryAfter: d.RetryAfter}
		}
	}
	return nil
}

type limitCheck struct {
	rule ratelimit.Rule
	key  string
}

// SignUp creates an account and mails a confirmation link. An address that already has an account gets a mail saying
// so instead, and the caller sees the same success either way.
func (s *Service) SignUp(ctx context.Context, email, pw string, client Client) error {
	addr, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if err := password.Check(pw, addr); err != nil {
		return &FieldError{Field: "password", Message: err.Error()}
	}
	if err := s.allow(ctx, limitCheck{ruleSignUpClient, client.IP}); err != nil {
		return err
	}
	hash, err := s.hash(pw)
	if err != nil {
		return err
	}
	index := s.emailIndex(addr)
	existing, err := s.userByIndex(ctx, index)
	if err != nil {
		return err
	}
	if existing != 0 {
		return s.st.InTenant(ctx, existing, func(tx *store.Tx) error {
			return s.mailAccountExists(ctx, tx, addr)
		})
	}
	_, err = s.st.CreateTenant(ctx, func(tx *store.Tx) error {
		sealed, err := tx.Seal(ctx, purposeEmail, "", []byte(addr))
		if err != nil {
			return err
		}
		err = tx.Q.SetAccount(ctx, tenantdb.SetAccountParams{UserID: tx.UserID, EmailIndex: index, EmailSealed: sealed, PasswordHash: hash})
		if err != nil {
			return err
		}
		if err := tx.Audit(ctx, "sign_up", IPHint(client.IP), nil); err != nil {
			return err
		}
		return s.mailVerifyLink(ctx, tx, addr, "verify", nil, nil)
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return nil // the same address signed up a moment ago, in another request: the answer is the same
	}
	return err
}

// SignIn checks the credentials and starts a session. Whether the address exists shows in neither the answer nor
// the time it takes.
func (s *Service) SignIn(ctx context.Context, email, pw string, client Client) (*http.Cookie, error) {
	addr, err := NormalizeEmail(email)
	if err != nil {
		return nil, ErrInvalidCredentials
	}
	pair := addr + "|" + client.IP
	if err := s.allow(ctx, limitCheck{ruleSignInPair, pair}, limitCheck{ruleSignInAccount, addr}, limitCheck{ruleSignInClient, client.IP}); err != nil {
		return nil, err
	}
	userID, err := s.userByIndex(ctx, s.emailIndex(addr))
	if err != nil {
		return nil, err
	}
	if userID == 0 {
		s.withHashSlot(func() { password.VerifyDummy(pw, s.cfg.Password) })
		return nil, ErrInvalidCredentials
	}
	var cookie *http.Cookie
	failed := false
	err = s.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		acct, err := tx.Q.GetAccount(ctx, userID)
		if err != nil {
			return err
		}
		ok, rehash, err := s.verify(pw, acct.PasswordHash)
		if err != nil || !ok {
			failed = true
			return tx.Audit(ctx, "sign_in_failed", IPHint(client.IP), nil)
		}
		if rehash {
			if h, err := s.hash(pw); err == nil {
				if err := tx.Q.SetPasswordHash(ctx, tenantdb.SetPasswordHashParams{UserID: userID, PasswordHash: h}); err != nil {
					return err
				}
			}
		}
		if cookie, err = s.sessions.Start(ctx, tx, client.meta()); err != nil {
			return err
		}
		return tx.Audit(ctx, "sign_in", IPHint(client.IP), nil)
	})
	if err != nil {
		return nil, err
	}
	if failed {
		return nil, ErrInvalidCredentials
	}
	if err := s.limiter.Reset(ctx, ruleSignInPair, pair); err != nil {
		s.log.Warn("account: reset sign-in limit", "err", err)
	}
	return cookie, nil
}

// SignOut ends the session.
func (s *Service) SignOut(ctx context.Context, sess *session.Session, client Client) error {
	if _, err := s.sessions.Revoke(ctx, sess.UserID, [][]byte{sess.IDHash}, nil); err != nil {
		return err
	}
	return s.st.InTenant(ctx, sess.UserID, func(tx *store.Tx) error { return tx.Audit(ctx, "sign_out", IPHint(client.IP), nil) })
}

// SignOutEverywhere ends every session of the seller, this one included.
func (s *Service) SignOutEverywhere(ctx context.Context, sess *session.Session, client Client) error {
	n, err := s.sessions.Revoke(ctx, sess.UserID, nil, nil)
	if err != nil {
		return err
	}
	return s.st.InTenant(ctx, sess.UserID, func(tx *store.Tx) error {
		return tx.Audit(ctx, "sign_out_everywhere", IPHint(client.IP), map[string]any{"sessions": n})
	})
}

// RevokeSession ends one of the seller's other sessions, named by the hex of its id hash.
func (s *Service) RevokeSession(ctx context.Context, sess *session.Session, idHex string, client Client) error {
	id, err := hexBytes(idHex)
	if err != nil {
		return &FieldError{Field: "id", Message: "That session does not exist."}
	}
	n, err := s.sessions.Revoke(ctx, sess.UserID, [][]byte{id}, nil)
	if err != nil {
		return err
	}
	return s.st.InTenant(ctx, sess.UserID, func(tx *store.Tx) error {
		return tx.Audit(ctx, "session_revoked", IPHint(client.IP), map[string]any{"sessions": n})
	})
}

// Account is what the seller's own pages show.
type Account struct {
	Email    string
	Verified bool
}

// Get reads the seller's account.
func (s *Service) Get(ctx context.Context, tx *store.Tx) (Account, error) {
	acct, err := tx.Q.GetAccount(ctx, tx.UserID)
	if err != nil {
		return Account{}, err
	}
	addr, err := tx.Open(ctx, purposeEmail, "", acct.EmailSealed)
	if err != nil {
		return Account{}, err
	}
	return Account{Email: string(addr), Verified: acct.EmailVerifiedAt != nil}, nil
}

// ConfirmEmail uses a confirmation link: for a new account's address or a changed address.
func (s *Service) ConfirmEmail(ctx context.Context, userID int64, token string, client Client) error {
	hash, err := tokenHash(token)
	if err != nil || userID <= 0 {
		return ErrLinkInvalid
	}
	err = s.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		now := s.clock.Now()
		if _, err := tx.Q.ConsumeEmailToken(ctx, tenantdb.ConsumeEmailTokenParams{Now: now, UserID: userID, TokenHash: hash, Purpose: "verify"}); err == nil {
			if err := tx.Q.MarkEmailVerified(ctx, tenantdb.MarkEmailVerifiedParams{VerifiedAt: now, UserID: userID}); err != nil {
				return err
			}
			return tx.Audit(ctx, "email_verified", IPHint(client.IP), nil)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		row, err := tx.Q.ConsumeEmailToken(ctx, tenantdb.ConsumeEmailTokenParams{Now: now, UserID: userID, TokenHash: hash, Purpose: "change_email"})
		if err != nil {
			return err
		}
		addr, err := tx.Open(ctx, purposeNewEmail, string(row.NewEmailIndex), row.NewEmailSealed)
		if err != nil {
			return err
		}
		sealed, err := tx.Seal(ctx, purposeEmail, "", addr)
		if err != nil {
			return err
		}
		if err := tx.Q.SetEmail(ctx, tenantdb.SetEmailParams{EmailIndex: row.NewEmailIndex, EmailSealed: sealed, VerifiedAt: &now, UserID: userID}); err != nil {
			return err
		}
		return tx.Audit(ctx, "email_changed", IPHint(client.IP), nil)
	})
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows), errors.Is(err, store.ErrNoTenant):
		return ErrLinkInvalid
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		return &FieldError{Field: "email", Message: "Another account uses that address now."}
	}
	return err
}

// ResendConfirmation mails a new confirmation link, a few times an hour at most.
func (s *Service) ResendConfirmation(ctx context.Context, userID int64) error {
	if err := s.allow(ctx, limitCheck{ruleVerifyMail, strconv.FormatInt(userID, 10)}); err != nil {
		return err
	}
	return s.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		acct, err := s.Get(ctx, tx)
		if err != nil || acct.Verified {
			return err
		}
		return s.mailVerifyLink(ctx, tx, acct.Email, "verify", nil, nil)
	})
}

// RequestPasswordReset mails a reset link if the address has an account. The caller sees the same either way.
func (s *Service) RequestPasswordReset(ctx context.Context, email string, client Client) error {
	addr, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if err := s.allow(ctx, limitCheck{ruleResetClient, client.IP}, limitCheck{ruleResetAccount, addr}); err != nil {
		return err
	}
	userID, err := s.userByIndex(ctx, s.emailIndex(addr))
	if err != nil || userID == 0 {
		return err
	}
	return s.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		link, id, err := s.newLink(ctx, tx, "reset", "/reset-password", resetLinkTTL, nil, nil)
		if err != nil {
			return err
		}
		m, err := mail.Render(mail.KindResetPassword, addr, mail.ResetPassword{Link: link})
		if err != nil {
			return err
		}
		return mail.Enqueue(ctx, tx, s.queue, mail.KindResetPassword, "reset/"+id, m)
	})
}

// ResetPassword uses a reset link: sets the new password and ends every session (whoever asked for the reset may
// not be the only one with the old password).
func (s *Service) ResetPassword(ctx context.Context, userID int64, token, newPassword string, client Client) error {
	hash, err := tokenHash(token)
	if err != nil || userID <= 0 {
		return ErrLinkInvalid
	}
	var pwHash string
	err = s.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		acct, err := s.Get(ctx, tx)
		if err != nil {
			return err
		}
		if err := password.Check(newPassword, acct.Email); err != nil {
			return &FieldError{Field: "password", Message: err.Error()}
		}
		now := s.clock.Now()
		if _, err := tx.Q.ConsumeEmailToken(ctx, tenantdb.ConsumeEmailTokenParams{Now: now, UserID: userID, TokenHash: hash, Purpose: "reset"}); err != nil {
			return err
		}
		if pwHash, err = s.hash(newPassword); err != nil {
			return err
		}
		if err := tx.Q.SetPasswordHash(ctx, tenantdb.SetPasswordHashParams{UserID: userID, PasswordHash: pwHash}); err != nil {
			return err
		}
		// The link reached the mailbox, so the address is confirmed too.
		if err := tx.Q.MarkEmailVerified(ctx, tenantdb.MarkEmailVerifiedParams{VerifiedAt: now, UserID: userID}); err != nil {
			return err
		}
		return tx.Audit(ctx, "password_reset", IPHint(client.IP), nil)
	})
	if errors.Is(err, pgx.ErrNoRows) || errors.Is(err, store.ErrNoTenant) {
		return ErrLinkInvalid
	}
	if err != nil {
		return err
	}
	_, err = s.sessions.Revoke(ctx, userID, nil, nil)
	return err
}

// ChangePassword sets a new password after checking the current one, and ends the seller's other sessions.
func (s *Service) ChangePassword(ctx context.Context, sess *session.Session, current, newPassword string, client Client) error {
	err := s.st.InTenant(ctx, sess.UserID, func(tx *store.Tx) error {
		acct, err := s.checkPassword(ctx, tx, current)
		if err != nil {
			return err
		}
		if err := password.Check(newPassword, acct.Email); err != nil {
			return &FieldError{Field: "new_password", Message: err.Error()}
		}
		h, err := s.hash(newPassword)
		if err != nil {
			return err
		}
		if err := tx.Q.SetPasswordHash(ctx, tenantdb.SetPasswordHashParams{UserID: sess.UserID, PasswordHash: h}); err != nil {
			return err
		}
		return tx.Audit(ctx, "password_changed", IPHint(client.IP), nil)
	})
	if err != nil {
		return err
	}
	_, err = s.sessions.Revoke(ctx, sess.UserID, nil, sess.IDHash)
	return err
}

// ChangeEmail mails a confirmation link to the new address; the address changes when the link is used.
func (s *Service) ChangeEmail(ctx context.Context, sess *session.Session, current, newEmail string, client Client) error {
	addr, err := NormalizeEmail(newEmail)
	if err != nil {
		return &FieldError{Field: "new_email", Message: err.(*FieldError).Message}
	}
	if err := s.allow(ctx, limitCheck{ruleVerifyMail, strconv.FormatInt(sess.UserID, 10)}); err != nil {
		return err
	}
	index := s.emailIndex(addr)
	return s.st.InTenant(ctx, sess.UserID, func(tx *store.Tx) error {
		if _, err := s.checkPassword(ctx, tx, current); err != nil {
			return err
		}
		sealed, err := tx.Seal(ctx, purposeNewEmail, string(index), []byte(addr))
		if err != nil {
			return err
		}
		if err := s.mailVerifyLink(ctx, tx, addr, "change_email", sealed, index); err != nil {
			return err
		}
		return tx.Audit(ctx, "email_change_requested", IPHint(client.IP), nil)
	})
}

// Reauthenticate checks the password again and returns the session's cookie marked as freshly authenticated.
func (s *Service) Reauthenticate(ctx context.Context, sess *session.Session, pw string, client Client) (*http.Cookie, error) {
	if err := s.allow(ctx, limitCheck{ruleSignInPair, strconv.FormatInt(sess.UserID, 10) + "|" + client.IP}); err != nil {
		return nil, err
	}
	err := s.st.InTenant(ctx, sess.UserID, func(tx *store.Tx) error {
		_, err := s.checkPassword(ctx, tx, pw)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.sessions.Reauthenticated(sess)
}

func (s *Service) checkPassword(ctx context.Context, tx *store.Tx, pw string) (Account, error) {
	acct, err := tx.Q.GetAccount(ctx, tx.UserID)
	if err != nil {
		return Account{}, err
	}
	if ok, _, err := s.verify(pw, acct.PasswordHash); err != nil || !ok {
		return Account{}, &FieldError{Field: "current_password", Message: ErrWrongPassword.Error()}
	}
	return s.Get(ctx, tx)
}

// Purposes of sealed account values.
const (
	purposeEmail    vault.Purpose = "users.email"
	purposeNewEmail vault.Purpose = "email_tokens.new_email"
)

func (s *Service) mailVerifyLink(ctx context.Context, tx *store.Tx, addr, purpose string, newSealed, newIndex []byte) error {
	link, id, err := s.newLink(ctx, tx, purpose, "/verify-email", verifyLinkTTL, newSealed, newIndex)
	if err != nil {
		return err
	}
	m, err := mail.Render(mail.KindVerifyEmail, addr, mail.VerifyEmail{Link: link})
	if err != nil {
		return err
	}
	return mail.Enqueue(ctx, tx, s.queue, mail.KindVerifyEmail, "verify/"+id, m)
}

func (s *Service) mailAccountExists(ctx context.Context, tx *store.Tx, addr string) error {
	m, err := mail.Render(mail.KindAccountExists, addr, mail.AccountExists{
		SignInLink: s.cfg.PublicURL.JoinPath("/login").String(),
		ResetLink:  s.cfg.PublicURL.JoinPath("/forgot-password").String(),
	})
	if err != nil {
		return err
	}
	// At most one such mail an hour, however often someone tries.
	return mail.Enqueue(ctx, tx, s.queue, mail.KindAccountExists, "exists/"+s.clock.Now().Format("2006010215"), m)
}

// newLink stores a fresh single-use token and returns the link that carries it, and an id for the mail's dedupe key
// (a prefix of the token's hash: unique, and useless to anyone who reads it).
func (s *Service) newLink(ctx context.Context, tx *store.Tx, purpose, path string, ttl time.Duration, newSealed, newIndex []byte) (link, id string, err error) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // never fails since Go 1.24
	token := base64.RawURLEncoding.EncodeToString(raw)
	h := sha256.Sum256(raw)
	now := s.clock.Now()
	err = tx.Q.InsertEmailToken(ctx, tenantdb.InsertEmailTokenParams{
		UserID: tx.UserID, TokenHash: h[:], Purpose: purpose, NewEmailSealed: newSealed, NewEmailIndex: newIndex,
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	})
	if err != nil {
		return "", "", err
	}
	u := s.cfg.PublicURL.JoinPath(path)
	u.RawQuery = url.Values{"u": {strconv.FormatInt(tx.UserID, 10)}, "t": {token}}.Encode()
	return u.String(), hex.EncodeToString(h[:8]), nil
}

func tokenHash(token string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 32 {
		return nil, ErrLinkInvalid
	}
	h := sha256.Sum256(raw)
	return h[:], nil
}

func (s *Service) emailIndex(addr string) []byte {
	m := hmac.New(sha256.New, s.cfg.EmailIndexKey)
	m.Write([]byte(addr))
	return m.Sum(nil)
}

func (s *Service) userByIndex(ctx context.Context, index []byte) (int64, error) {
	var id int64
	err := s.st.System(ctx, func(q *systemdb.Queries) error {
		var err error
		id, err = q.UserIDByEmailIndex(ctx, index)
		return err
	})
	return id, err
}

// withHashSlot runs f when fewer than MaxConcurrentHashes argon2 runs are going: each holds tens of MiB.
func (s *Service) withHashSlot(f func()) {
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	f()
}

func (s *Service) hash(pw string) (h string, err error) {
	s.withHashSlot(func() { h, err = password.Hash(pw, s.cfg.Password) })
	return h, err
}

func (s *Service) verify(pw, encoded string) (ok, rehash bool, err error) {
	s.withHashSlot(func() { ok, rehash, err = password.Verify(pw, encoded, s.cfg.Password) })
	return ok, rehash, err
}

// CreateConfirmed makes an account whose address counts as confirmed, for the demo seller of `make run`; an
// existing account with the address is left as it is and its id returned.
func (s *Service) CreateConfirmed(ctx context.Context, email, pw string) (int64, error) {
	addr, err := NormalizeEmail(email)
	if err != nil {
		return 0, err
	}
	index := s.emailIndex(addr)
	if existing, err := s.userByIndex(ctx, index); err != nil || existing != 0 {
		return existing, err
	}
	if err := password.Check(pw, addr); err != nil {
		return 0, &FieldError{Field: "password", Message: err.Error()}
	}
	hash, err := s.hash(pw)
	if err != nil {
		return 0, err
	}
	return s.st.CreateTenant(ctx, func(tx *store.Tx) error {
		sealed, err := tx.Seal(ctx, purposeEmail, "", []byte(addr))
		if err != nil {
			return err
		}
		if err := tx.Q.SetAccount(ctx, tenantdb.SetAccountParams{UserID: tx.UserID, EmailIndex: index, EmailSealed: sealed, PasswordHash: hash}); err != nil {
			return err
		}
		if err := tx.Q.MarkEmailVerified(ctx, tenantdb.MarkEmailVerifiedParams{VerifiedAt: s.clock.Now(), UserID: tx.UserID}); err != nil {
			return err
		}
		return tx.Audit(ctx, "demo_account_created", "", nil)
	})
}
