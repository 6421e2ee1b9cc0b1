package account_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/accounttest"
	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/session"
	"github.com/profitline/profitline/internal/testenv"
)

type fixture struct {
	*accounttest.Stack
	env      *testenv.Env
	svc      *account.Service
	sessions *session.Manager
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := accounttest.New(t)
	return &fixture{Stack: st, env: st.Env, svc: st.Accounts, sessions: st.Sessions}
}

var alice = account.Client{IP: "198.51.100.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}

const strongPassword = "correct horse battery staple"

func (f *fixture) waitMail(t *testing.T, n int) mail.DevMessage { return f.WaitMail(t, n) }

var linkRE = regexp.MustCompile(`https://app\.example\.com/[a-z-]+\?[^\s]+`)

// linkIn returns the user id and token of the link in a mail.
func linkIn(t *testing.T, m mail.DevMessage) (int64, string) {
	t.Helper()
	raw := linkRE.FindString(m.Text)
	u, err := url.Parse(raw)
	if raw == "" || err != nil {
		t.Fatalf("no link in mail %q", m.Text)
	}
	id, _ := strconv.ParseInt(u.Query().Get("u"), 10, 64)
	return id, u.Query().Get("t")
}

func (f *fixture) signedIn(t *testing.T, c *http.Cookie) (*session.Session, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(c)
	s, _, err := f.sessions.Load(context.Background(), r)
	return s, err
}

func TestASellerSignsUpConfirmsSignsInAndOut(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.svc.SignUp(ctx, "  Jane.Seller@Example.com ", strongPassword, alice); err != nil {
		t.Fatal(err)
	}
	m := f.waitMail(t, 1)
	if m.To != "jane.seller@example.com" || !strings.Contains(m.Subject, "Confirm") {
		t.Fatalf("first mail = to %q, %q", m.To, m.Subject)
	}
	userID, token := linkIn(t, m)
	if err := f.svc.ConfirmEmail(ctx, userID, token, alice); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if err := f.svc.ConfirmEmail(ctx, userID, token, alice); !errors.Is(err, account.ErrLinkInvalid) {
		t.Fatalf("second use of the link: %v; want ErrLinkInvalid", err)
	}
	if _, err := f.svc.SignIn(ctx, "jane.seller@example.com", "wrong password here", alice); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	cookie, err := f.svc.SignIn(ctx, "JANE.SELLER@example.com", strongPassword, alice)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := f.signedIn(t, cookie)
	if err != nil || sess.UserID != userID {
		t.Fatalf("after sign-in: %+v, %v", sess, err)
	}
	if err := f.svc.SignOut(ctx, sess, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signedIn(t, cookie); !errors.Is(err, session.ErrSignedOut) {
		t.Fatalf("cookie after sign-out: %v", err)
	}
	var actions []string
	rows, err := testenv.Connect(t, f.env.DB.OwnerURL).Query(ctx, `SELECT action FROM audit_log WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		_ = rows.Scan(&a)
		actions = append(actions, a)
	}
	if got := strings.Join(actions, ","); got != "sign_up,email_verified,sign_in_failed,sign_in,sign_out" {
		t.Fatalf("audit log = %s", got)
	}
}

func TestSignUpWithATakenAddressAnswersTheSameAndMailsTheOwner(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.svc.SignUp(ctx, "owner@example.com", strongPassword, alice); err != nil {
		t.Fatal(err)
	}
	f.waitMail(t, 1)
	if err := f.svc.SignUp(ctx, "Owner@Example.com", "another long passphrase", alice); err != nil {
		t.Fatalf("sign-up with a taken address: %v; want the same answer as a new one", err)
	}
	if m := f.waitMail(t, 2); m.To != "owner@example.com" || !strings.Contains(m.Subject, "already have") {
		t.Fatalf("second mail = to %q, %q", m.To, m.Subject)
	}
	var users int
	if err := testenv.Connect(t, f.env.DB.OwnerURL).QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&users); err != nil || users != 1 {
		t.Fatalf("%d users (err %v); want 1", users, err)
	}
}

func TestSignInSaysTheSameForAnUnknownAddressAndAWrongPassword(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_ = f.svc.SignUp(ctx, "known@example.com", strongPassword, alice)
	_, unknown := f.svc.SignIn(ctx, "nobody@example.com", strongPassword, alice)
	_, wrong := f.svc.SignIn(ctx, "known@example.com", "not the password at all", alice)
	if unknown == nil || wrong == nil || unknown.Error() != wrong.Error() {
		t.Fatalf("unknown address: %v; wrong password: %v; want the same error", unknown, wrong)
	}
}

func TestSignInIsRateLimitedPerClientWithoutLockingTheSellerOut(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_ = f.svc.SignUp(ctx, "target@example.com", strongPassword, alice)
	attacker := account.Client{IP: "203.0.113.66"}
	var limited *account.RateLimitedError
	for i := range 6 {
		_, err := f.svc.SignIn(ctx, "target@example.com", "guess number "+strconv.Itoa(i), attacker)
		if i < 5 && !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
		if i == 5 && (!errors.As(err, &limited) || limited.RetryAfter <= 0) {
			t.Fatalf("sixth attempt from one client: %v; want rate limited with a Retry-After", err)
		}
	}
	if _, err := f.svc.SignIn(ctx, "target@example.com", strongPassword, alice); err != nil {
		t.Fatalf("the seller from their own browser: %v; an attacker must not lock them out", err)
	}
	f.env.Clock.Advance(limited.RetryAfter)
	if _, err := f.svc.SignIn(ctx, "target@example.com", "guess again later", attacker); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Fatalf("after waiting Retry-After: %v; want an ordinary wrong-password answer", err)
	}
}

func TestAPasswordResetWorksOnceWithinAnHourAndEndsEverySession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_ = f.svc.SignUp(ctx, "reset@example.com", strongPassword, alice)
	f.waitMail(t, 1)
	laptop, _ := f.svc.SignIn(ctx, "reset@example.com", strongPassword, alice)
	phone, _ := f.svc.SignIn(ctx, "reset@example.com", strongPassword, account.Client{IP: "192.0.2.8"})

	if err := f.svc.RequestPasswordReset(ctx, "nobody@example.com", alice); err != nil {
		t.Fatalf("reset for an unknown address: %v; want the same quiet success", err)
	}
	if err := f.svc.RequestPasswordReset(ctx, "reset@example.com", alice); err != nil {
		t.Fatal(err)
	}
	userID, token := linkIn(t, f.waitMail(t, 2))
	if err := f.svc.ResetPassword(ctx, userID, token, "password", alice); err == nil {
		t.Fatal("a weak new password was accepted")
	}
	if err := f.svc.ResetPassword(ctx, userID, token, "a brand new passphrase", alice); err != nil {
		t.Fatalf("reset (the weak attempt must not have used the link up): %v", err)
	}
	if err := f.svc.ResetPassword(ctx, userID, token, "yet another passphrase", alice); !errors.Is(err, account.ErrLinkInvalid) {
		t.Fatalf("second use: %v", err)
	}
	for name, c := range map[string]*http.Cookie{"laptop": laptop, "phone": phone} {
		if _, err := f.signedIn(t, c); !errors.Is(err, session.ErrSignedOut) {
			t.Errorf("%s after the reset: %v; want signed out", name, err)
		}
	}
	if _, err := f.svc.SignIn(ctx, "reset@example.com", "a brand new passphrase", alice); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}

	_ = f.svc.RequestPasswordReset(ctx, "reset@example.com", alice)
	userID, token = linkIn(t, f.waitMail(t, 3))
	f.env.Clock.Advance(time.Hour + time.Second)
	if err := f.svc.ResetPassword(ctx, userID, token, "too late passphrase", alice); !errors.Is(err, account.ErrLinkInvalid) {
		t.Fatalf("an hour and a second later: %v; want ErrLinkInvalid", err)
	}
}

func TestChangingThePasswordEndsOtherSessionsButNotThisOne(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_ = f.svc.SignUp(ctx, "change@example.com", strongPassword, alice)
	here, _ := f.svc.SignIn(ctx, "change@example.com", strongPassword, alice)
	there, _ := f.svc.SignIn(ctx, "change@example.com", strongPassword, account.Client{IP: "192.0.2.9"})
	sess, err := f.signedIn(t, here)
	if err != nil {
		t.Fatal(err)
	}
	var fe *account.FieldError
	if err := f.svc.ChangePassword(ctx, sess, "not my password", "a brand new passphrase", alice); !errors.As(err, &fe) || fe.Field != "current_password" {
		t.Fatalf("wrong current password: %v", err)
	}
	if err := f.svc.ChangePassword(ctx, sess, strongPassword, "a brand new passphrase", alice); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signedIn(t, here); err != nil {
		t.Fatalf("this browser after changing the password: %v", err)
	}
	if _, err := f.signedIn(t, there); !errors.Is(err, session.ErrSignedOut) {
		t.Fatalf("the other browser: %v; want signed out", err)
	}
}

func TestAChangedEmailTakesEffectOnlyOnceTheNewAddressConfirms(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_ = f.svc.SignUp(ctx, "old@example.com", strongPassword, alice)
	f.waitMail(t, 1)
	c, _ := f.svc.SignIn(ctx, "old@example.com", strongPassword, alice)
	sess, _ := f.signedIn(t, c)
	if err := f.svc.ChangeEmail(ctx, sess, strongPassword, "New@Example.com", alice); err != nil {
		t.Fatal(err)
	}
	m := f.waitMail(t, 2)
	if m.To != "new@example.com" {
		t.Fatalf("confirmation went to %q; want the new address", m.To)
	}
	if _, err := f.svc.SignIn(ctx, "new@example.com", strongPassword, alice); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Fatalf("new address before confirming: %v", err)
	}
	userID, token := linkIn(t, m)
	if err := f.svc.ConfirmEmail(ctx, userID, token, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SignIn(ctx, "new@example.com", strongPassword, alice); err != nil {
		t.Fatalf("new address after confirming: %v", err)
	}
	if _, err := f.svc.SignIn(ctx, "old@example.com", strongPassword, alice); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Fatalf("old address after the change: %v", err)
	}
}

func TestTheAddressIsStoredOnlySealedAndAsAKeyedIndex(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_ = f.svc.SignUp(ctx, "private.seller@example.com", strongPassword, alice)
	f.waitMail(t, 1)
	var found bool
	err := testenv.Connect(t, f.env.DB.OwnerURL).QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM users WHERE position('private.seller' in encode(email_sealed, 'escape')) > 0
		       OR position('private.seller' in encode(email_index, 'escape')) > 0
		       OR email_index = sha256('private.seller@example.com'::bytea))`).Scan(&found)
	if err != nil || found {
		t.Fatalf("the address is readable or guessable in users (err %v)", err)
	}
}

func TestEmailNormalisationRejectsWhatIsNotOnePlainAddress(t *testing.T) {
	for in, want := range map[string]string{
		" A@B.co ": "a@b.co", "x.y+tag@sub.example.org": "x.y+tag@sub.example.org",
	} {
		if got, err := account.NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "plain", "a@b", "Jane <a@b.co>", "a@b.co, c@d.co", "a@b.co\r\nBcc: x@y.z", "a b@c.co", strings.Repeat("a", 250) + "@b.co"} {
		if _, err := account.NormalizeEmail(in); err == nil {
			t.Errorf("NormalizeEmail(%q) accepted", in)
		}
	}
}

func FuzzNormalizeEmailYieldsOnlyPlainLowerCaseAddresses(f *testing.F) {
	for _, s := range []string{"a@b.co", "Jane <a@b.co>", "a@b.co\n", "\"quoted\"@b.co", "a@[127.0.0.1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := account.NormalizeEmail(s)
		if err != nil {
			return
		}
		if out != strings.ToLower(out) || strings.ContainsAny(out, " \r\n\t<>,;\"") || strings.Count(out, "@") < 1 || len(out) > 254 {
			t.Fatalf("NormalizeEmail(%q) = %q", s, out)
		}
		if again, err := account.NormalizeEmail(out); err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q (%v)", out, again, err)
		}
	})
}

func TestSignInUpgradesAHashMadeWithOlderParameters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_ = f.svc.SignUp(ctx, "upgrade@example.com", strongPassword, alice)
	stronger := f.Config
	stronger.Password.Iterations++
	svc, err := account.New(f.env.Store, f.sessions, f.Limiter, f.Queue, f.env.Clock, stronger, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hashOf := func() string {
		var h string
		if err := testenv.Connect(t, f.env.DB.OwnerURL).QueryRow(ctx, `SELECT password_hash FROM users`).Scan(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	before := hashOf()
	if _, err := svc.SignIn(ctx, "upgrade@example.com", strongPassword, alice); err != nil {
		t.Fatal(err)
	}
	after := hashOf()
	want := ",t=" + strconv.Itoa(int(stronger.Password.Iterations)) + ","
	if after == before || !strings.Contains(after, want) {
		t.Fatalf("after sign-in the hash is %q (was %q); want it rehashed with %s", after, before, want)
	}
	if _, err := svc.SignIn(ctx, "upgrade@example.com", strongPassword, alice); err != nil {
		t.Fatalf("sign in with the upgraded hash: %v", err)
	}
}
