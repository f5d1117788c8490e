package handlers

import (
	"net/http"
	"tftsr/domain"

	"github.com/labstack/echo/v4"
)

// handleAPISettingsGet is get_settings.
func (s *Server) handleAPISettingsGet(c echo.Context) error {
	st, err := s.settings.GetSettings(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// handleAPISettingsUpdate is update_settings (admins only).
func (s *Server) handleAPISettingsUpdate(c echo.Context) error {
	var upd domain.SettingsUpdate
	if err := bindJSON(c, &upd); err != nil {
		return err
	}
	st, err := s.settings.UpdateSettings(c.Request().Context(), upd)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
