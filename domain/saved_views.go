package domain

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// A SavedView is a user's named incident list filter ("my open criticals"): the list's query
// string, kept so that the user can open the same list again with one click. Each user sees and
// deletes only their own.
type SavedView struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	Query     string    `json:"query"`
	CreatedAt time.Time `json:"created_at"`
}

// ListURL is the incident list the view opens. A view without filters lists every incident
// (the incidents page alone would open on the open ones).
func (v *SavedView) ListURL() string {
	if v.Query == "" {
		return "/issues?status="
	}
	return "/issues?" + v.Query
}

// Saved view bounds.
const (
	MaxSavedViewNameRunes = 60
	MaxSavedViewsPerUser  = 50
)

// NewSavedView is a view to save: a name and the incident list's query parameters.
type NewSavedView struct {
	Name   string
	Filter url.Values
}

// Normalise trims the name and reduces the filter to the list's own parameters in a canonical
// query string: status, severity, category, assignee, q, sort and order (never the page). It
// returns EINVALID naming the field when the name is empty, too long or not text, or when the
// filter is one the incident list would refuse.
func (n NewSavedView) Normalise() (name, query string, err error) {
	name = strings.TrimSpace(n.Name)
	switch {
	case name == "":
		return "", "", Invalid("Give the view a name.", map[string]string{"name": "Give the view a name."})
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		return "", "", Invalid("A view name is plain text on one line.", map[string]string{"name": "A view name is plain text on one line."})
	case utf8.RuneCountInString(name) > MaxSavedViewNameRunes:
		msg := "A view name is at most " + itoa(MaxSavedViewNameRunes) + " characters."
		return "", "", Invalid(msg, map[string]string{"name": msg})
	}
	if _, err := ParseIssueFilter(n.Filter, "me"); err != nil {
		return "", "", err
	}
	return name, IssueFilterQuery(n.Filter), nil
}

// isControl reports a control character, which a one-line name has none of.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// issueFilterParams are the query parameters of an incident list's filter and order, in the
// order IssueFilterQuery writes them.
var issueFilterParams = []string{"status", "severity", "category", "assignee", "q", "sort", "order"}

// IssueFilterQuery returns the filter and order parameters of q (see ParseIssueFilter) as a
// query string without the page: comma-separated lists are split, empty values dropped.
func IssueFilterQuery(q url.Values) string {
	out := url.Values{}
	for _, k := range issueFilterParams {
		for _, v := range q[k] {
			parts := []string{v} // the text is one value, commas and all
			if k != "q" {
				parts = strings.Split(v, ",")
			}
			for _, p := range parts {
				if p = strings.TrimSpace(p); p != "" {
					out.Add(k, p)
				}
			}
		}
	}
	return out.Encode()
}

// IssueFilterSet reports whether q sets any filter of the incident list (not counting its order
// or page): a status, severity, category, assignee or text.
func IssueFilterSet(q url.Values) bool {
	for _, k := range issueFilterParams[:5] {
		for _, v := range q[k] {
			if strings.Trim(v, " ,") != "" {
				return true
			}
		}
	}
	return false
}

// SavedViewStore keeps saved views. Every method acts for the signed-in user of ctx, who must
// be at least a viewer: a user lists, saves and deletes only their own views, and another
// user's view is not found. A name is unique per user, case-insensitively (EINVALID on the name
// otherwise), and a user keeps at most MaxSavedViewsPerUser views.
type SavedViewStore interface {
	CreateSavedView(ctx context.Context, name, query string) (*SavedView, error)
	// FindSavedViews returns the user's views by name.
	FindSavedViews(ctx context.Context) ([]*SavedView, error)
	DeleteSavedView(ctx context.Context, id string) error
}

// SaveView validates and saves a view for the signed-in user.
func SaveView(ctx context.Context, store SavedViewStore, n NewSavedView) (*SavedView, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	name, query, err := n.Normalise()
	if err != nil {
		return nil, err
	}
	return store.CreateSavedView(ctx, name, query)
}
