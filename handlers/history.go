package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// attachmentsPerPage is the page size of each list on the Attachments tab.
const attachmentsPerPage = 25

// handleHistoryAttachments is the History page's Attachments tab: logs and images across
// incidents, searched by file name (and logs by their redacted text), filtered by incident.
func (s *Server) handleHistoryAttachments(c echo.Context) error {
	ctx := c.Request().Context()
	a := views.AttachmentsProps{
		Query:   strings.TrimSpace(c.QueryParam("q")),
		IssueID: c.QueryParam("issue_id"),
		PerPage: attachmentsPerPage,
	}
	a.LogsPage, _ = strconv.Atoi(c.QueryParam("logs_page"))
	a.ImagesPage, _ = strconv.Atoi(c.QueryParam("images_page"))
	a.LogsPage, _ = domain.NormalisePage(a.LogsPage, a.PerPage)
	a.ImagesPage, _ = domain.NormalisePage(a.ImagesPage, a.PerPage)

	var err error
	if a.Logs, a.LogsTotal, err = s.logs.FindLogs(ctx, domain.LogFilter{
		Search: a.Query, IssueID: a.IssueID, Page: a.LogsPage, PerPage: a.PerPage,
	}); err != nil {
		return err
	}
	if a.Images, a.ImagesTotal, err = s.images.FindAllImages(ctx, domain.ImageFilter{
		Search: a.Query, IssueID: a.IssueID, Page: a.ImagesPage, PerPage: a.PerPage,
	}); err != nil {
		return err
	}
	if wantsFragment(c) {
		return render(c, http.StatusOK, views.AttachmentsResults(a))
	}
	if a.Issues, _, err = s.issues.FindIssues(ctx, domain.IssueFilter{Sort: "updated_at", Desc: true, Page: 1, PerPage: domain.MaxPerPage}); err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "Attachments", views.NavHistory, views.AttachmentsPage(a))
}

// handleHistory shows all incidents, resolved and closed included, under the History tabs.
func (s *Server) handleHistory(c echo.Context) error {
	return s.issueList(c, "/history", "History", views.NavHistory)
}
