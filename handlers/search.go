package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tftsr/views"
)

// handleSearch answers the header's search as you type (a dropdown fragment) and the full
// search page.
func (s *Server) handleSearch(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	page, _ := strconv.Atoi(c.QueryParam("page"))
	perPage := 20
	dropdown := c.Request().Header.Get(hxTarget) == views.SearchResultsID
	if dropdown {
		page, perPage = 1, 8
	}
	props := views.SearchProps{Query: q, Page: max(page, 1), PerPage: perPage}
	if q != "" {
		items, total, err := s.issues.SearchIssues(c.Request().Context(), q, props.Page, perPage)
		if err != nil {
			return err
		}
		props.Items, props.Total = items, total
	}
	if dropdown {
		return render(c, http.StatusOK, views.SearchDropdown(props))
	}
	return s.renderPage(c, http.StatusOK, "Search", views.NavIssues, views.SearchPage(props))
}
