package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/connect"
	"github.com/profitline/profitline/internal/shops"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/tiktok"
)

func (s *Server) shopsPage(c echo.Context) error {
	flash := ""
	switch c.QueryParam("done") {
	case "connected":
		flash = "Your shop is connected. Its data starts arriving now."
	case "disconnected":
		flash = "Disconnected. Imports stopped and our access tokens are deleted; your data so far stays."
	}
	var view shopsView
	view.Flash = flash
	err := s.opts.Store.InTenant(c.Request().Context(), sessionOf(c).UserID, func(tx *store.Tx) error {
		list, err := shops.List(c.Request().Context(), tx)
		for _, sh := range list {
			view.Shops = append(view.Shops, shopRow{
				ShopID: sh.ShopID, Name: sh.Name, Region: sh.Region, GrantID: sh.GrantID, Revoked: sh.Revoked,
				ConnectedAt: sh.ConnectedAt, RevokedAt: sh.RevokedAt, ReconnectBy: sh.ReconnectBy, DataAsOf: sh.DataAsOf,
				MissingScopes: tiktok.MissingScopes(sh.GrantedScopes),
			})
		}
		return err
	})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "shops", "Shops", view)
}

// connectStart sends the seller to TikTok's consent page with a state bound to this session. It is a POST: it
// creates that state.
func (s *Server) connectStart(c echo.Context) error {
	u, err := s.opts.Connect.Start(c.Request().Context(), sessionOf(c))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, u)
}

// connectCallback is where TikTok sends the seller back. It is a GET, as OAuth redirects are; the state, single-use
// and bound to this session, is what makes it safe.
func (s *Server) connectCallback(c echo.Context) error {
	_, err := s.opts.Connect.Callback(c.Request().Context(), sessionOf(c), c.QueryParam("code"), c.QueryParam("state"), account.IPHint(c.RealIP()))
	if errors.Is(err, connect.ErrBadState) {
		return echo.NewHTTPError(http.StatusBadRequest, "This connection attempt expired or was started elsewhere. Go to Settings, Shops and connect again.")
	}
	var apiErr *tiktok.APIError
	if errors.As(err, &apiErr) {
		s.log.Warn("connect: TikTok refused", "code", apiErr.Code, "request_id", apiErr.RequestID)
		return echo.NewHTTPError(http.StatusBadGateway, "TikTok did not complete the connection ("+strings.TrimSpace(apiErr.Class.String())+"). Please try again.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/shops?done=connected")
}

func (s *Server) disconnect(c echo.Context) error {
	grantID, err := strconv.ParseInt(c.FormValue("grant"), 10, 64)
	if err != nil || grantID <= 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "That shop connection does not exist.")
	}
	if err := s.opts.Connect.Disconnect(c.Request().Context(), sessionOf(c).UserID, grantID, account.IPHint(c.RealIP())); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/shops?done=disconnected")
}
