package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/session"
)

const ctxSession = "session"

// recentAuth is how fresh a sign-in must be for sensitive actions (SECURITY.md promise 4).
const recentAuth = 15 * time.Minute

// loadSession puts the request's session, if any, in the context, and refreshes its cookie when activity was
// recorded. A cookie that no longer works is removed from the browser.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.opts.Sessions == nil || isMachineEndpoint(c) || strings.HasPrefix(c.Request().URL.Path, "/static/") {
			return next(c)
		}
		sess, fresh, err := s.opts.Sessions.Load(c.Request().Context(), c.Request())
		switch {
		case errors.Is(err, session.ErrSignedOut):
			if _, cerr := c.Cookie(session.CookieName); cerr == nil {
				c.SetCookie(session.Clear())
			}
		case err != nil:
			return err
		default:
			c.Set(ctxSession, sess)
			if fresh != nil {
				c.SetCookie(fresh)
			}
		}
		return next(c)
	}
}

func sessionOf(c echo.Context) *session.Session {
	sess, _ := c.Get(ctxSession).(*session.Session)
	return sess
}

// signedIn sends visitors without a session to the sign-in page, and back here afterwards.
func signedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if sessionOf(c) == nil {
			if c.Request().Method != http.MethodGet {
				return c.Redirect(http.StatusSeeOther, "/login")
			}
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}

// recentlyAuthenticated asks for the password again when the sign-in is older than 15 minutes.
func (s *Server) recentlyAuthenticated(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if sess := sessionOf(c); sess != nil && s.opts.Clock.Now().Sub(sess.AuthAt) > recentAuth {
			back := "/settings/security"
			if strings.HasPrefix(c.Request().URL.Path, "/settings/shops") {
				back = "/settings/shops"
			}
			return c.Redirect(http.StatusSeeOther, "/reauth?next="+url.QueryEscape(back))
		}
		return next(c)
	}
}

func clientOf(c echo.Context) account.Client {
	return account.Client{IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
}

// localPath keeps a redirect target on this site: a path; anything naming a scheme or host (including
// protocol-relative //host) gives fallback.
func localPath(raw, fallback string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" || u.IsAbs() || u.Host != "" || u.User != nil {
		return fallback
	}
	p := u.RequestURI()
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return fallback
	}
	return p
}

// accountError turns the account service's answers into a form's errors; rate limits and other failures are
// returned as errors for the error handler.
func accountError(err error) (formErrors, error) {
	var fe *account.FieldError
	var rl *account.RateLimitedError
	switch {
	case errors.As(err, &fe):
		return formErrors{Fields: map[string]string{fe.Field: fe.Message}}, nil
	case errors.As(err, &rl):
		return formErrors{}, tooManyRequests(rl.RetryAfter)
	case errors.Is(err, account.ErrInvalidCredentials), errors.Is(err, account.ErrLinkInvalid):
		return formErrors{Form: err.Error()}, nil
	}
	return formErrors{}, err
}

// tooManyRequests is a 429 whose Retry-After the error handler sends.
func tooManyRequests(after time.Duration) error {
	secs := int(math.Ceil(after.Seconds()))
	he := echo.NewHTTPError(http.StatusTooManyRequests, "Too many attempts. Please wait "+strconv.Itoa(secs)+" seconds and try again.")
	return &retryAfterError{HTTPError: he, seconds: max(secs, 1)}
}

type retryAfterError struct {
	*echo.HTTPError
	seconds int
}

func (e *retryAfterError) Unwrap() error { return e.HTTPError }

func (s *Server) signupForm(c echo.Context) error {
	if sessionOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/dashboard")
	}
	return s.render(c, http.StatusOK, "signup", "Create your account", signupView{})
}

func (s *Server) signup(c echo.Context) error {
	email := c.FormValue("email")
	err := s.opts.Accounts.SignUp(c.Request().Context(), email, c.FormValue("password"), clientOf(c))
	if err != nil {
		errs, err := accountError(err)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, "signup", "Create your account", signupView{Email: email, Errors: errs})
	}
	return s.render(c, http.StatusOK, "check_email", "Check your inbox", checkEmailView{Email: email, Purpose: "verify"})
}

func (s *Server) loginForm(c echo.Context) error {
	if sessionOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/dashboard")
	}
	return s.render(c, http.StatusOK, "login", "Sign in", loginView{Next: localPath(c.QueryParam("next"), "")})
}

func (s *Server) login(c echo.Context) error {
	email := c.FormValue("email")
	cookie, err := s.opts.Accounts.SignIn(c.Request().Context(), email, c.FormValue("password"), clientOf(c))
	if err != nil {
		errs, err := accountError(err)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusUnauthorized, "login", "Sign in", loginView{Email: email, Next: localPath(c.QueryParam("next"), ""), Errors: errs})
	}
	c.SetCookie(cookie)
	return c.Redirect(http.StatusSeeOther, localPath(c.QueryParam("next"), "/dashboard"))
}

func (s *Server) logout(c echo.Context) error {
	if sess := sessionOf(c); sess != nil {
		if err := s.opts.Accounts.SignOut(c.Request().Context(), sess, clientOf(c)); err != nil {
			return err
		}
	}
	c.SetCookie(session.Clear())
	return c.Redirect(http.StatusSeeOther, "/login")
}

// confirmEmailForm shows the link's page; the POST uses it, because no GET changes state (a mail scanner that
// follows links must not confirm anything).
func (s *Server) confirmEmailForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "notice", "Confirm your email", noticeView{
		Heading: "Confirm your email address",
		Message: "One click and your address is confirmed.",
		Form:    noticeForm{Action: "/verify-email", Button: "Confirm my email", Fields: map[string]string{"u": c.QueryParam("u"), "t": c.QueryParam("t")}},
	})
}

func (s *Server) confirmEmail(c echo.Context) error {
	userID, _ := strconv.ParseInt(c.FormValue("u"), 10, 64)
	err := s.opts.Accounts.ConfirmEmail(c.Request().Context(), userID, c.FormValue("t"), clientOf(c))
	if err != nil {
		errs, err := accountError(err)
		if err != nil {
			return err
		}
		msg := errs.Form
		for _, m := range errs.Fields {
			msg = m
		}
		return s.render(c, http.StatusBadRequest, "notice", "Link not valid", noticeView{
			Heading: "This link does not work", Message: msg, LinkHref: "/dashboard", LinkText: "Go to your dashboard",
		})
	}
	return s.render(c, http.StatusOK, "notice", "Email confirmed", noticeView{
		Heading: "Your email address is confirmed", Message: "Thank you. You are all set.", LinkHref: "/dashboard", LinkText: "Go to your dashboard",
	})
}

func (s *Server) resendConfirmation(c echo.Context) error {
	err := s.opts.Accounts.ResendConfirmation(c.Request().Context(), sessionOf(c).UserID)
	if err != nil {
		if _, err := accountError(err); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, "/dashboard")
}

func (s *Server) forgotForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "forgot", "Reset your password", forgotView{})
}

func (s *Server) forgot(c echo.Context) error {
	email := c.FormValue("email")
	if err := s.opts.Accounts.RequestPasswordReset(c.Request().Context(), email, clientOf(c)); err != nil {
		errs, err := accountError(err)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, "forgot", "Reset your password", forgotView{Email: email, Errors: errs})
	}
	return s.render(c, http.StatusOK, "check_email", "Check your inbox", checkEmailView{Email: email, Purpose: "reset"})
}

func (s *Server) resetForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "reset", "Choose a new password", resetView{UserID: c.QueryParam("u"), Token: c.QueryParam("t")})
}

func (s *Server) reset(c echo.Context) error {
	userID, _ := strconv.ParseInt(c.FormValue("u"), 10, 64)
	err := s.opts.Accounts.ResetPassword(c.Request().Context(), userID, c.FormValue("t"), c.FormValue("password"), clientOf(c))
	if err != nil {
		errs, err := accountError(err)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, "reset", "Choose a new password",
			resetView{UserID: c.FormValue("u"), Token: c.FormValue("t"), Errors: errs})
	}
	c.SetCookie(session.Clear())
	return s.render(c, http.StatusOK, "notice", "Password changed", noticeView{
		Heading: "Your password is changed", Message: "Every browser that was signed in has been signed out. Sign in with your new password.",
		LinkHref: "/login", LinkText: "Sign in",
	})
}

func (s *Server) reauthForm(c echo.Context) error {
	return s.render(c, http.StatusOK, "reauth", "Confirm it's you", reauthView{Next: localPath(c.QueryParam("next"), "/settings/security")})
}

func (s *Server) reauth(c echo.Context) error {
	next := localPath(c.FormValue("next"), "/settings/security")
	cookie, err := s.opts.Accounts.Reauthenticate(c.Request().Context(), sessionOf(c), c.FormValue("password"), clientOf(c))
	if err != nil {
		errs, err := accountError(err)
		if err != nil {
			return err
		}
		if pw, ok := errs.Fields["current_password"]; ok {
			errs = formErrors{Fields: map[string]string{"password": pw}}
		}
		return s.render(c, http.StatusUnauthorized, "reauth", "Confirm it's you", reauthView{Next: next, Errors: errs})
	}
	c.SetCookie(cookie)
	return c.Redirect(http.StatusSeeOther, next)
}
