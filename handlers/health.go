package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// handleHealthz answers as long as the process serves requests.
func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz checks each dependency and answers 503 when one is down.
func (s *Server) handleReadyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	status, code := map[string]string{"portal": "ok"}, http.StatusOK
	for _, chk := range s.checks {
		if err := chk.Check(ctx); err != nil {
			status[chk.Name] = "unavailable"
			code = http.StatusServiceUnavailable
		} else {
			status[chk.Name] = "ok"
		}
	}
	return c.JSON(code, status)
}
