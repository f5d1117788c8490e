package handlers

import (
	"net/http"
	"strconv"
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

// handleAPIIssueList is list_issues.
func (s *Server) handleAPIIssueList(c echo.Context) error {
	q := c.QueryParams()
	f := domain.IssueFilter{Sort: q.Get("sort"), Desc: q.Get("order") != "asc"}
	for _, v := range splitList(q["status"]) {
		f.Status = append(f.Status, domain.Status(v))
	}
	for _, v := range splitList(q["severity"]) {
		f.Severity = append(f.Severity, domain.Severity(v))
	}
	for _, v := range splitList(q["category"]) {
		f.Category = append(f.Category, domain.Category(v))
	}
	if q.Has("assignee") {
		a := q.Get("assignee")
		switch a {
		case "none":
			a = ""
		case "me":
			a = domain.UserIDFromContext(c.Request().Context())
		}
		f.AssigneeID = &a
	}
	if v := q.Get("sort"); v != "" && v != "created_at" && v != "updated_at" {
		return domain.Invalid("Unknown sort.", map[string]string{"sort": "Sort by created_at or updated_at."})
	}
	if v := q.Get("order"); v != "" && v != "asc" && v != "desc" {
		return domain.Invalid("Unknown order.", map[string]string{"order": "Order asc or desc."})
	}
	var err error
	if f.Page, f.PerPage, err = pageParams(c); err != nil {
		return err
	}
	f.Normalise()
	if err := validListFilter(f); err != nil {
		return err
	}
	items, total, err := s.issues.FindIssues(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(items, total))
}

// splitList accepts both repeated parameters and comma-separated values.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// pageParams reads page and per_page, refusing values that are not numbers.
func pageParams(c echo.Context) (int, int, error) {
	var page, perPage int
	var err error
	if v := c.QueryParam("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return 0, 0, domain.Invalid("Invalid page.", map[string]string{"page": "Give a page number from 1."})
		}
	}
	if v := c.QueryParam("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 || perPage > domain.MaxPerPage {
			return 0, 0, domain.Invalid("Invalid per_page.", map[string]string{"per_page": "Give a page size from 1 to 200."})
		}
	}
	page, perPage = domain.NormalisePage(page, perPage)
	return page, perPage, nil
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
