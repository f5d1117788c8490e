package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/views"
)

// handleDashboard shows the team's incidents at a glance.
func (s *Server) handleDashboard(c echo.Context) error {
	d, err := s.issues.Dashboard(c.Request().Context())
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "Dashboard", views.NavDashboard, views.DashboardPage(d))
}
