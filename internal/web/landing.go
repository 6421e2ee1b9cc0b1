package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

type landingView struct{}

func (s *Server) landing(c echo.Context) error {
	return s.render(c, http.StatusOK, "landing", "Know what you actually make on TikTok Shop", landingView{})
}
