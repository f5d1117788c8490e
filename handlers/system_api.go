package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleAPIHardware is detect_hardware: the portal host's hardware.
func (s *Server) handleAPIHardware(c echo.Context) error {
	o := s.ollama
	hw, err := o.HardwareReport(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, hw)
}

// handleAPIModelRecommendations is recommend_models: the catalogue judged against the host.
func (s *Server) handleAPIModelRecommendations(c echo.Context) error {
	o := s.ollama
	recs, err := o.Recommendations(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(recs, len(recs)))
}
