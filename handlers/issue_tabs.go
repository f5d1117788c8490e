package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// hxCurrentURL is the htmx request header with the page's URL.
const hxCurrentURL = "HX-Current-URL"

// tabParts are the parts of an incident each tab of its page shows; every tab shows the counts.
var tabParts = map[views.IssueTab]domain.IssueParts{
	views.TabOverview:    0,
	views.TabTimeline:    domain.IssueTimeline,
	views.TabFiveWhys:    domain.IssueFiveWhys | domain.IssueLogs,
	views.TabChat:        domain.IssueConversations | domain.IssueFiveWhys | domain.IssueLogs,
	views.TabLogs:        domain.IssueLogs,
	views.TabImages:      domain.IssueImages,
	views.TabDocuments:   domain.IssueDocuments,
	views.TabActionItems: 0,
}

// routeTabs are the tabs of the incident page that the answer to a plain form post shows, by
// the route of the post; the others show the Overview.
var routeTabs = map[string]views.IssueTab{
	"/issues/:id/five-whys":    views.TabFiveWhys,
	"/five-whys/:id":           views.TabFiveWhys,
	"/issues/:id/timeline":     views.TabTimeline,
	"/issues/:id/logs":         views.TabLogs,
	"/issues/:id/analyze":      views.TabChat,
	"/issues/:id/images":       views.TabImages,
	"/issues/:id/documents":    views.TabDocuments,
	"/issues/:id/action-items": views.TabActionItems,
	"/action-items/:id":        views.TabActionItems,
	"/action-items/:id/delete": views.TabActionItems,
	"/issues/:id/chat":         views.TabChat,
}

// requestTab is the tab a request's page shows: the tab its route names.
func requestTab(c echo.Context) views.IssueTab {
	if t, ok := c.Get(issueTabKey).(views.IssueTab); ok {
		return t
	}
	return routeTabs[c.Path()]
}

// currentTab is the tab the person is on when a change is made with htmx: the one the page's
// URL (HX-Current-URL) names, the Overview when it names none.
func currentTab(c echo.Context) views.IssueTab {
	u, err := url.Parse(c.Request().Header.Get(hxCurrentURL))
	if err != nil {
		return views.TabOverview
	}
	// /issues/{ref}/{tab}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 3 || parts[0] != "issues" {
		return views.TabOverview
	}
	t, _ := views.ParseIssueTab(parts[2])
	return t
}

// issueTabKey is the echo context key of the tab a tab's route shows.
const issueTabKey = "issue-tab"

// handleIssueTab shows a tab of an incident: the whole page with the tab active, or for htmx
// (a click on the tab) the tab's panel with the tab bar and header out of band.
func (s *Server) handleIssueTab(tab views.IssueTab) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(issueTabKey, tab)
		p, err := s.issuePage(c, c.Param("id"))
		if err != nil {
			return err
		}
		if wantsFragment(c) {
			return render(c, http.StatusOK, views.IssueTabSwap(p))
		}
		return s.renderPage(c, http.StatusOK, p.Detail.Issue.Title, views.NavIssues, views.IssuePage(p))
	}
}

// handleIssueTabs answers the tab bar's reload after a change on the page: the tab bar with
// its counts, the tab named by ?tab= selected, and with header=1 the header out of band.
func (s *Server) handleIssueTabs(c echo.Context) error {
	tab, ok := views.ParseIssueTab(c.QueryParam("tab"))
	if !ok {
		return domain.Errorf(domain.EINVALID, "Unknown tab %q.", c.QueryParam("tab"))
	}
	p, err := s.issueSections(c, c.Param("id"), domain.IssueTabCounts)
	if err != nil {
		return err
	}
	p.Tab = tab
	return render(c, http.StatusOK, views.IssueTabsRefresh(p, c.QueryParam("header") == "1"))
}
