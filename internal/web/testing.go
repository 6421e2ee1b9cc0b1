package web

import "github.com/labstack/echo/v4"

// AddTestRoute adds a route after construction, for tests in other packages that need a handler to misbehave.
func AddTestRoute(s *Server, method, path string, h echo.HandlerFunc) { s.echo.Add(method, path, h) }
