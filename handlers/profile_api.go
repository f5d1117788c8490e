package handlers

import (
	"net/http"
	"tftsr/domain"

	"github.com/labstack/echo/v4"
)

// handleAPIMe returns the caller.
func (s *Server) handleAPIMe(c echo.Context) error {
	return c.JSON(http.StatusOK, domain.UserFromContext(c.Request().Context()))
}
