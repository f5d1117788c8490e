package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleAPIWhyProposalAccept accepts a proposed why answer: 201 with the entry it added, or 200
// with the entry whose answer it set.
func (s *Server) handleAPIWhyProposalAccept(c echo.Context) error {
	w, created, err := s.acceptProposal(c)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, w)
	}
	return c.JSON(http.StatusOK, w)
}
