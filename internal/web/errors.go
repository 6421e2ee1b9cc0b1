package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/redact"
)

type errorView struct {
	Status  int
	Heading string
	Message string
}

// handleError renders every error as a page. Client errors say what went wrong; server errors say only that
// something did, with the request id to quote, and the details go to the log and error monitoring.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	view := errorView{Status: http.StatusInternalServerError}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code < 500 {
		view.Status = he.Code
		if msg, ok := he.Message.(string); ok && he.Internal == nil {
			view.Message = msg
		}
	} else {
		attrs := []slog.Attr{slog.String("request_id", requestIDOf(c)), slog.String("path", c.Request().URL.Path),
			slog.String("err", redact.Text(err.Error()))}
		var panicked *panicError
		if errors.As(err, &panicked) {
			attrs = append(attrs, slog.String("stack", string(panicked.stack)))
		} else if s.opts.Monitor != nil {
			s.opts.Monitor.Report(c, err) // panics were reported by the monitor's middleware already
		}
		s.log.LogAttrs(c.Request().Context(), slog.LevelError, "request failed", attrs...)
	}
	var ra *retryAfterError
	if errors.As(err, &ra) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(ra.seconds))
	}
	view.Heading = http.StatusText(view.Status)
	switch view.Status {
	case http.StatusNotFound:
		view.Heading, view.Message = "Page not found", "There is nothing at this address. It may have moved, or the link may be mistyped."
	case http.StatusMethodNotAllowed:
		view.Message = "This address does not accept that kind of request."
	case http.StatusTooManyRequests:
		view.Heading = "Too many attempts"
	case http.StatusRequestEntityTooLarge:
		view.Message = "What you sent is larger than we accept."
	case http.StatusInternalServerError:
		view.Heading, view.Message = "Something went wrong", "We could not complete your request. Nothing you entered was lost; please try again in a moment."
	}
	if view.Message == "" || view.Message == http.StatusText(view.Status) {
		view.Message = "The request could not be completed."
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(view.Status)
		return
	}
	if err := s.render(c, view.Status, "error", view.Heading, view); err != nil {
		// The error page itself failed: fall back to plain text, still generic.
		s.log.Error("render error page", "request_id", requestIDOf(c), "err", err)
		_ = c.String(view.Status, view.Heading+". Reference: "+requestIDOf(c))
	}
}

// render writes a page, rendered in full before the first byte goes out.
func (s *Server) render(c echo.Context, status int, page, title string, data any) error {
	buf, err := s.views.render(page, Page{
		Title:     title,
		Nonce:     nonceOf(c),
		CSRFToken: csrfTokenOf(c),
		RequestID: requestIDOf(c),
		SignedIn:  sessionOf(c) != nil,
		Data:      data,
	})
	if err != nil {
		return err
	}
	defer release(buf)
	return c.HTMLBlob(status, buf.Bytes())
}
