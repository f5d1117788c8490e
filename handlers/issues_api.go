package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
)

// list is the API's envelope for lists.
type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func newList[T any](items []T, total int) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: total}
}

// handleAPIIssueCreate is create_issue.
func (s *Server) handleAPIIssueCreate(c echo.Context) error {
	var in domain.NewIssue
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	is, err := s.issues.CreateIssue(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, is)
}

// handleAPIIssueList is list_issues: the filter is read as the incidents page reads it.
func (s *Server) handleAPIIssueList(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := domain.ParseIssueFilter(c.QueryParams(), domain.UserIDFromContext(ctx))
	if err != nil {
		return err
	}
	items, total, err := s.issues.FindIssues(ctx, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(items, total))
}

// pageParams reads page and per_page, refusing values that are not page numbers or sizes.
func pageParams(c echo.Context) (int, int, error) {
	return domain.ParsePage(c.QueryParams())
}

// handleAPIIssueSearch is search_issues.
func (s *Server) handleAPIIssueSearch(c echo.Context) error {
	page, perPage, err := pageParams(c)
	if err != nil {
		return err
	}
	items, total, err := s.issues.SearchIssues(c.Request().Context(), c.QueryParam("q"), page, perPage)
	if err != nil {
		return err
	}
	for _, it := range items {
		it.Snippet = strings.NewReplacer(domain.SnippetStart, "<b>", domain.SnippetStop, "</b>").Replace(it.Snippet)
	}
	return c.JSON(http.StatusOK, newList(items, total))
}

// handleAPIIssueGet is get_issue.
func (s *Server) handleAPIIssueGet(c echo.Context) error {
	d, err := s.issues.FindIssueDetail(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// handleAPIIssueUpdate is update_issue: only the given fields change.
func (s *Server) handleAPIIssueUpdate(c echo.Context) error {
	var upd domain.IssueUpdate
	if err := bindJSON(c, &upd); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.issues.UpdateIssue(ctx, c.Param("id"), upd); err != nil {
		return err
	}
	d, err := s.issues.FindIssueDetail(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// handleAPIIssueDelete is delete_issue.
func (s *Server) handleAPIIssueDelete(c echo.Context) error {
	if err := s.issues.DeleteIssue(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
