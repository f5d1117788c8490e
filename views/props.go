// Package views holds the portal's templ components: the layout, the pages and the partials that
// htmx swaps. DOM ids that handlers target are constants here, so both sides share one spelling.
package views

import "tftsr/domain"

// DOM ids targeted by htmx.
const (
	ToastsID        = "toasts"
	SearchResultsID = "search-results"
	IssueListID     = "issue-list"
	IssueFormID     = "issue-form"
	FiveWhysID      = "five-whys"
	TimelineID      = "timeline"
	IssueHeaderID   = "issue-header"
	// TimelineEventsID and WhyLevelID are the parts of the timeline and the 5-Whys that a
	// finished chat reply refreshes (the sections' forms are left alone).
	TimelineEventsID = "timeline-events"
	WhyLevelID       = "why-level"
	// NavPanelID is the sidebar's links, which the menu button folds away on small screens.
	NavPanelID = "nav-panel"
)

// Navigation sections, to mark the current one in the sidebar.
const (
	NavDashboard = "dashboard"
	NavIssues    = "issues"
	NavHistory   = "history"
	NavSettings  = "settings"
	NavUsers     = "users"
	NavAudit     = "audit"
	NavProfile   = "profile"
)

// PageProps is what the layout needs on every page.
type PageProps struct {
	Title    string
	Nav      string
	User     *domain.User
	CSRF     string
	TeamName string
	Flash    string
}

// IsAdmin reports whether the signed-in user is an admin.
func (p PageProps) IsAdmin() bool { return p.User != nil && p.User.Role == domain.RoleAdmin }

// CanEdit reports whether the signed-in user may change incidents.
func (p PageProps) CanEdit() bool { return p.User != nil && p.User.Role.AtLeast(domain.RoleResponder) }
