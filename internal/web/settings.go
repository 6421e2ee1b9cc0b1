package web

import (
	"bytes"
	"encoding/hex"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/store"
)

// securityPage renders Settings -> Security with an optional outcome message and form errors.
func (s *Server) securityPage(c echo.Context, status int, flash string, errs formErrors, changeEmail string) error {
	sess := sessionOf(c)
	view := securityView{Flash: flash, Errors: errs, ChangeEmail: changeEmail,
		RecentAuth: s.opts.Clock.Now().Sub(sess.AuthAt) <= recentAuth}
	err := s.opts.Store.InTenant(c.Request().Context(), sess.UserID, func(tx *store.Tx) error {
		acct, err := s.opts.Accounts.Get(c.Request().Context(), tx)
		if err != nil {
			return err
		}
		view.Email, view.Verified = acct.Email, acct.Verified
		rows, err := s.opts.Sessions.List(c.Request().Context(), tx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			view.Sessions = append(view.Sessions, sessionItem{
				ID: hex.EncodeToString(r.IDHash), Current: bytes.Equal(r.IDHash, sess.IDHash),
				UserAgent: r.UserAgent, IPHint: r.IpHint, CreatedAt: r.CreatedAt, LastSeen: r.LastSeenAt,
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.render(c, status, "security", "Security", view)
}

func (s *Server) security(c echo.Context) error {
	flash := ""
	switch c.QueryParam("done") {
	case "password":
		flash = "Password changed. Your other sessions were signed out."
	case "email":
		flash = "We sent a confirmation link to your new address. Your email changes when you open it."
	case "session":
		flash = "That session is signed out."
	}
	return s.securityPage(c, http.StatusOK, flash, formErrors{}, "")
}

// settingsAction runs one Settings -> Security form and redirects (post/redirect/get) or re-renders with errors.
func (s *Server) settingsAction(run func(c echo.Context) error, done string) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := run(c); err != nil {
			errs, err := accountError(err)
			if err != nil {
				return err
			}
			return s.securityPage(c, http.StatusUnprocessableEntity, "", errs, c.FormValue("new_email"))
		}
		return c.Redirect(http.StatusSeeOther, "/settings/security?done="+done)
	}
}

func (s *Server) changePassword(c echo.Context) error {
	return s.opts.Accounts.ChangePassword(c.Request().Context(), sessionOf(c), c.FormValue("current_password"), c.FormValue("new_password"), clientOf(c))
}

func (s *Server) changeEmail(c echo.Context) error {
	return s.opts.Accounts.ChangeEmail(c.Request().Context(), sessionOf(c), c.FormValue("current_password"), c.FormValue("new_email"), clientOf(c))
}

func (s *Server) revokeSession(c echo.Context) error {
	return s.opts.Accounts.RevokeSession(c.Request().Context(), sessionOf(c), c.FormValue("id"), clientOf(c))
}

func (s *Server) signOutEverywhere(c echo.Context) error {
	if err := s.opts.Accounts.SignOutEverywhere(c.Request().Context(), sessionOf(c), clientOf(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}
