package handlers

import (
	"net/http"
	"tftsr/domain"

	"github.com/labstack/echo/v4"
)

// handleAPIActionItemList lists an incident's action items.
func (s *Server) handleAPIActionItemList(c echo.Context) error {
	items, err := s.docs.ActionItems(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(items, len(items)))
}

// handleAPIActionItemCreate adds an action item → 201.
func (s *Server) handleAPIActionItemCreate(c echo.Context) error {
	var in domain.NewActionItem
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	a, err := s.docs.AddActionItem(c.Request().Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}

// handleAPIActionItemUpdate changes the given fields of an action item.
func (s *Server) handleAPIActionItemUpdate(c echo.Context) error {
	var in domain.ActionItemUpdate
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	a, err := s.docs.UpdateActionItem(c.Request().Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

// handleAPIActionItemDelete deletes an action item → 204.
func (s *Server) handleAPIActionItemDelete(c echo.Context) error {
	if _, err := s.docs.DeleteActionItem(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
