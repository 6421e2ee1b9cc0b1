package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/webhook"
)

// tiktokWebhook answers TikTok within milliseconds: the signature is checked over the raw bytes before anything
// else, and only what cannot wait (a deauthorization) is done now. A 5xx makes TikTok retry later.
func (s *Server) tiktokWebhook(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, s.opts.Webhooks.MaxBody()+1))
	if err != nil {
		return c.NoContent(http.StatusBadRequest)
	}
	res, err := s.opts.Webhooks.Receive(c.Request().Context(), body, c.Request().Header.Get("Authorization"))
	switch {
	case errors.Is(err, webhook.ErrTooLarge):
		return c.NoContent(http.StatusRequestEntityTooLarge)
	case errors.Is(err, webhook.ErrBadSignature):
		s.log.Warn("webhook: bad signature", "request_id", requestIDOf(c), "bytes", len(body))
		return c.NoContent(http.StatusUnauthorized)
	case errors.Is(err, webhook.ErrMalformed):
		return c.NoContent(http.StatusBadRequest)
	case err != nil:
		return err
	}
	s.log.Info("webhook", "request_id", requestIDOf(c), "type", res.Type, "sellers", res.Sellers, "duplicates", res.Duplicates)
	return c.JSON(http.StatusOK, map[string]int{"code": 0})
}
