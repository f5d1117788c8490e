package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
)

// handleAPIAdminUsers lists users matching ?q= a page at a time (admins only).
func (s *Server) handleAPIAdminUsers(c echo.Context) error {
	f := domain.UserFilter{Query: c.QueryParam("q")}
	var err error
	if f.Page, f.PerPage, err = pageParams(c); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return queryError(err)
	}
	users, total, err := s.users.SearchUsers(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(users, total))
}

// apiUserUpdate is the body of PATCH /api/v1/admin/users/{id}: only the given fields change.
type apiUserUpdate struct {
	DisplayName *string      `json:"display_name"`
	Role        *domain.Role `json:"role"`
	Disabled    *bool        `json:"disabled"`
}

// handleAPIAdminUserUpdate changes a user's role, disabled flag or display name (admins only).
// Demoting or disabling the last active admin is 409 conflict.
func (s *Server) handleAPIAdminUserUpdate(c echo.Context) error {
	var body apiUserUpdate
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	u, err := s.users.UpdateUser(c.Request().Context(), c.Param("id"),
		domain.UserUpdate{DisplayName: body.DisplayName, Role: body.Role, Disabled: body.Disabled})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}
