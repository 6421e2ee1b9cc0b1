package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// healthz says the process is up; it checks nothing else, so an orchestrator never restarts us for a database blip.
func (s *Server) healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok")
}

// readyz says whether we can serve sellers: every dependency answers within two seconds. It names what failed,
// never why (the log has the details).
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	status, report := http.StatusOK, map[string]string{}
	for name, p := range s.opts.Ready {
		if err := p.Ping(ctx); err != nil {
			s.log.Warn("readiness check failed", "dependency", name, "err", err)
			report[name], status = "unavailable", http.StatusServiceUnavailable
			continue
		}
		report[name] = "ok"
	}
	return c.JSON(status, report)
}
