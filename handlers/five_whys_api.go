package handlers

import (
	"net/http"
	"tftsr/domain"

	"github.com/labstack/echo/v4"
)

// handleAPIFiveWhyAdd is add_five_why.
func (s *Server) handleAPIFiveWhyAdd(c echo.Context) error {
	var in domain.NewFiveWhy
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	w, err := s.issues.AddFiveWhy(c.Request().Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, w)
}

// handleAPIFiveWhyUpdate is update_five_why.
func (s *Server) handleAPIFiveWhyUpdate(c echo.Context) error {
	var upd domain.FiveWhyUpdate
	if err := bindJSON(c, &upd); err != nil {
		return err
	}
	w, err := s.issues.UpdateFiveWhy(c.Request().Context(), c.Param("id"), upd)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}
