package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/mail"
)

type devMailView struct {
	Messages []mail.DevMessage
}

// devMail shows the mail the dev transport kept instead of sending (dev only: the route exists only then).
func (s *Server) devMail(c echo.Context) error {
	return s.render(c, http.StatusOK, "devmail", "Dev mail", devMailView{Messages: s.opts.DevMail.Messages()})
}
