package handlers

import (
	"context"
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// issueListProps is the list's filters as the page shows them: the statuses, severities and
// categories f holds, and the assignee, sort and order as the query spelt them, for the selects.
func issueListProps(f domain.IssueFilter, q url.Values, basePath string) views.IssueListProps {
	l := views.IssueListProps{
		Assignee: q.Get("assignee"), Q: f.Query, Sort: q.Get("sort"), Order: q.Get("order"),
		Page: f.Page, PerPage: f.PerPage, BasePath: basePath, FilterSet: domain.IssueFilterSet(q),
	}
	for _, st := range f.Status {
		l.Status = append(l.Status, string(st))
	}
	for _, sv := range f.Severity {
		l.Severity = append(l.Severity, string(sv))
	}
	for _, cat := range f.Category {
		l.Category = append(l.Category, string(cat))
	}
	return l
}

// handleIssueList shows the incident list; filter changes swap only the list.
func (s *Server) handleIssueList(c echo.Context) error {
	return s.issueList(c, "/issues", "Incidents", views.NavIssues)
}

func (s *Server) issueList(c echo.Context, basePath, title, nav string) error {
	ctx := c.Request().Context()
	if basePath == "/issues" && c.Request().URL.RawQuery == "" {
		// The incidents page opens on what still needs work; History shows everything.
		q := c.Request().URL.Query()
		for _, st := range []domain.Status{domain.StatusOpen, domain.StatusTriaging, domain.StatusInvestigating} {
			q.Add("status", string(st))
		}
		c.Request().URL.RawQuery = q.Encode()
	}
	q := c.Request().URL.Query()
	f, err := domain.ParseIssueFilter(q, domain.UserIDFromContext(ctx))
	if err != nil {
		return err
	}
	l := issueListProps(f, q, basePath)
	if l.Items, l.Total, err = s.issues.FindIssues(ctx, f); err != nil {
		return err
	}
	l.CSRF = csrfToken(c)
	if c.Request().Header.Get(hxTarget) == views.IssueListID {
		return render(c, http.StatusOK, views.IssueList(l))
	}
	if l.Users, err = s.assignableUsers(ctx); err != nil {
		return err
	}
	if basePath == "/issues" {
		if l.SavedViews, err = s.savedViews.FindSavedViews(ctx); err != nil {
			return err
		}
	}
	if basePath == "/history" {
		return s.renderPage(c, http.StatusOK, title, nav, views.HistoryPage(l))
	}
	return s.renderPage(c, http.StatusOK, title, nav, views.IssueListPage(title, l))
}

// assignableUsers lists the enabled users an incident can be assigned to.
func (s *Server) assignableUsers(ctx context.Context) ([]*domain.User, error) {
	users, err := s.users.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	enabled := users[:0:0]
	for _, u := range users {
		if !u.Disabled {
			enabled = append(enabled, u)
		}
	}
	return enabled, nil
}

// handleIssueNew shows the new incident form with the team's defaults.
func (s *Server) handleIssueNew(c echo.Context) error {
	ctx := c.Request().Context()
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return err
	}
	st, err := s.settings.GetSettings(ctx)
	if err != nil {
		return err
	}
	users, err := s.assignableUsers(ctx)
	if err != nil {
		return err
	}
	f := views.IssueForm{Severity: string(st.DefaultSeverity), Category: string(st.DefaultCategory), Users: users, CSRF: csrfToken(c)}
	return s.renderPage(c, http.StatusOK, "New incident", views.NavIssues, views.IssueFormPage(f))
}

// issueFormFromRequest reads the incident form.
func issueFormFromRequest(c echo.Context) views.IssueForm {
	return views.IssueForm{
		Title: c.FormValue("title"), Description: c.FormValue("description"),
		Severity: c.FormValue("severity"), Category: c.FormValue("category"),
		AssigneeID: c.FormValue("assignee_id"),
		StartedAt:  c.FormValue("started_at"), DetectedAt: c.FormValue("detected_at"),
	}
}

// formError re-renders the incident form with the error's field messages.
func (s *Server) formError(c echo.Context, f views.IssueForm, err error) error {
	if domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	f.Errors, f.Message = domain.ErrorFields(err), domain.ErrorMessage(err)
	users, uerr := s.assignableUsers(c.Request().Context())
	if uerr != nil {
		return uerr
	}
	f.Users, f.CSRF = users, csrfToken(c)
	title := "New incident"
	if f.ID != "" {
		title = "Edit incident"
	}
	if wantsFragment(c) {
		return render(c, http.StatusUnprocessableEntity, views.IssueFormFragment(f))
	}
	return s.renderPage(c, http.StatusUnprocessableEntity, title, views.NavIssues, views.IssueFormPage(f))
}

// handleIssueCreate creates an incident from the form and goes to its page.
func (s *Server) handleIssueCreate(c echo.Context) error {
	f := issueFormFromRequest(c)
	var assignee *string
	if f.AssigneeID != "" {
		assignee = &f.AssigneeID
	}
	loc := domain.LocationFromContext(c.Request().Context())
	started, serr := domain.ParseFormTime(f.StartedAt, loc)
	detected, derr := domain.ParseFormTime(f.DetectedAt, loc)
	if serr != nil || derr != nil {
		fields := map[string]string{}
		if serr != nil {
			fields["started_at"] = "Give the time as a date and a time, like 2026-03-01 14:05."
		}
		if derr != nil {
			fields["detected_at"] = "Give the time as a date and a time, like 2026-03-01 14:05."
		}
		return s.formError(c, f, domain.Invalid("Please correct the highlighted fields.", fields))
	}
	is, err := s.issues.CreateIssue(c.Request().Context(), domain.NewIssue{
		Title: f.Title, Description: f.Description, Severity: domain.Severity(f.Severity),
		Category: domain.Category(f.Category), AssigneeID: assignee, StartedAt: started, DetectedAt: detected,
	})
	if err != nil {
		return s.formError(c, f, err)
	}
	s.flash(c, "Incident created.")
	return redirect(c, "/issues/"+is.ID)
}

// issuePage loads what the incident page shows on the tab the request's route names: that
// tab's parts and the counts of the tab bar, nothing the other tabs show.
func (s *Server) issuePage(c echo.Context, id string) (views.IssuePageProps, error) {
	ctx := c.Request().Context()
	tab := requestTab(c)
	d, err := s.issues.FindIssueParts(ctx, id, tabParts[tab]|domain.IssueTabCounts)
	if err != nil {
		return views.IssuePageProps{}, err
	}
	p := sectionProps(c, d)
	p.Tab = tab
	switch tab {
	case views.TabChat, views.TabLogs:
		if p.ChatProviders, err = s.ai.ListProviderConfigs(ctx); err != nil {
			return p, err
		}
		p.ChatProvider = s.preferredProvider(ctx, p.ChatProviders)
	case views.TabActionItems:
		if p.ActionItems, err = s.docs.ActionItems(ctx, d.Issue.ID); err != nil {
			return p, err
		}
		if p.CanEdit {
			if p.Owners, err = s.assignableUsers(ctx); err != nil {
				return p, err
			}
		}
	}
	return p, nil
}

// sectionProps is the incident page's data over d, which holds what the sections to render
// show: a tab's parts for the page, some parts (FindIssueParts) for the sections a change
// re-renders. Its tab is the one the person is on (currentTab), which decides the out-of-band
// swaps of a change's answer.
func sectionProps(c echo.Context, d *domain.IssueDetail) views.IssuePageProps {
	ctx := c.Request().Context()
	return views.IssuePageProps{Detail: d, Documents: d.Documents, CSRF: csrfToken(c), Tab: currentTab(c),
		CanEdit: domain.Require(ctx, domain.RoleResponder) == nil, IsAdmin: domain.Require(ctx, domain.RoleAdmin) == nil}
}

// issueSections loads the parts of an incident that the sections to re-render after a change
// show, for sectionProps.
func (s *Server) issueSections(c echo.Context, id string, parts domain.IssueParts) (views.IssuePageProps, error) {
	d, err := s.issues.FindIssueParts(c.Request().Context(), id, parts)
	if err != nil {
		return views.IssuePageProps{}, err
	}
	return sectionProps(c, d), nil
}

// changedProps loads what the answer to a change made on the incident page shows: for htmx the
// parts of the incident that the re-rendered sections show, otherwise the whole page.
func (s *Server) changedProps(c echo.Context, id string, parts domain.IssueParts) (views.IssuePageProps, error) {
	if wantsFragment(c) {
		return s.issueSections(c, id, parts)
	}
	return s.issuePage(c, id)
}

// renderChanged renders the answer to a change made on the incident page: fragment (the
// changed sections, with out-of-band swaps) for htmx, the whole page over p otherwise.
func (s *Server) renderChanged(c echo.Context, status int, p views.IssuePageProps, fragment templ.Component) error {
	if wantsFragment(c) {
		return render(c, status, fragment)
	}
	return s.renderPage(c, status, p.Detail.Issue.Title, views.NavIssues, views.IssuePage(p))
}

// handleIssueView shows an incident's page on its Overview tab.
func (s *Server) handleIssueView(c echo.Context) error {
	return s.handleIssueTab(views.TabOverview)(c)
}

// handleIssueEdit shows the edit form.
func (s *Server) handleIssueEdit(c echo.Context) error {
	ctx := c.Request().Context()
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return err
	}
	is, err := s.issues.FindIssueByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	users, err := s.assignableUsers(ctx)
	if err != nil {
		return err
	}
	f := views.IssueForm{
		ID: is.ID, Title: is.Title, Description: is.Description, Severity: string(is.Severity),
		Category: string(is.Category), Users: users, CSRF: csrfToken(c),
	}
	if is.AssigneeID != nil {
		f.AssigneeID = *is.AssigneeID
	}
	return s.renderPage(c, http.StatusOK, "Edit incident", views.NavIssues, views.IssueFormPage(f))
}

// handleIssueUpdate saves the edit form.
func (s *Server) handleIssueUpdate(c echo.Context) error {
	f := issueFormFromRequest(c)
	f.ID = c.Param("id")
	sev, cat := domain.Severity(f.Severity), domain.Category(f.Category)
	upd := domain.IssueUpdate{Title: &f.Title, Description: &f.Description, Severity: &sev, Category: &cat, AssigneeID: &f.AssigneeID}
	if _, err := s.issues.UpdateIssue(c.Request().Context(), f.ID, upd); err != nil {
		return s.formError(c, f, err)
	}
	s.flash(c, "Incident saved.")
	return redirect(c, "/issues/"+f.ID)
}

// handleIssueStatus changes the status and severity from the incident page: htmx gets the
// header and the timeline's events (IssueStatusChanged), a plain form post goes back to the page.
func (s *Server) handleIssueStatus(c echo.Context) error {
	id := c.Param("id")
	var upd domain.IssueUpdate
	if v := c.FormValue("status"); v != "" {
		st := domain.Status(v)
		upd.Status = &st
	}
	if v := c.FormValue("severity"); v != "" {
		sv := domain.Severity(v)
		upd.Severity = &sv
	}
	is, err := s.issues.UpdateIssue(c.Request().Context(), id, upd)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return redirect(c, "/issues/"+id)
	}
	p, err := s.issueSections(c, is.ID, domain.IssueTimeline)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.IssueStatusChanged(p))
}

// handleIssueDeleteConfirm asks before deleting.
func (s *Server) handleIssueDeleteConfirm(c echo.Context) error {
	ctx := c.Request().Context()
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return err
	}
	is, err := s.issues.FindIssueByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "Delete incident", views.NavIssues, views.IssueDeletePage(csrfToken(c), is))
}

// handleIssueDelete deletes an incident and everything it owns.
func (s *Server) handleIssueDelete(c echo.Context) error {
	if err := s.issues.DeleteIssue(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	s.flash(c, "Incident deleted.")
	return redirect(c, "/issues")
}
