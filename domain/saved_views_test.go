package domain_test

import (
	"net/url"
	"strings"
	"testing"

	"tftsr/domain"
)

// TestNewSavedViewNormalise: a view's name is trimmed and checked, and its filter is reduced
// to the list's own parameters in one canonical spelling, or refused as the list refuses it.
func TestNewSavedViewNormalise(t *testing.T) {
	for _, tc := range []struct {
		name, filter         string
		wantName, wantQuery  string
		wantField, wantInMsg string
	}{
		{name: "  My open criticals ", filter: "status=open&severity=critical&assignee=me",
			wantName: "My open criticals", wantQuery: "assignee=me&severity=critical&status=open"},
		{name: "Commas and pages", filter: "status=open,%20triaging&page=4&per_page=10&_csrf=x&sort=title&order=asc",
			wantName: "Commas and pages", wantQuery: "order=asc&sort=title&status=open&status=triaging"},
		{name: "Text keeps its commas", filter: "q=%20disk,%20full%20", wantName: "Text keeps its commas", wantQuery: "q=disk%2C+full"},
		{name: "Nothing", filter: "category=&status=", wantName: "Nothing", wantQuery: ""},
		{name: "<b>bold</b>", filter: "", wantName: "<b>bold</b>", wantQuery: ""},
		{name: strings.Repeat("é", domain.MaxSavedViewNameRunes), filter: "", wantName: strings.Repeat("é", domain.MaxSavedViewNameRunes)},
		{name: "   ", wantField: "name", wantInMsg: "Give the view a name"},
		{name: strings.Repeat("n", domain.MaxSavedViewNameRunes+1), wantField: "name", wantInMsg: "at most 60"},
		{name: "tab\there", wantField: "name", wantInMsg: "one line"},
		{name: "bad \xff", wantField: "name", wantInMsg: "plain text"},
		{name: "ok", filter: "status=burning", wantField: "status", wantInMsg: "Unknown status"},
		{name: "ok", filter: "sort=priority", wantField: "sort", wantInMsg: "Unknown sort"},
	} {
		q, err := url.ParseQuery(tc.filter)
		if err != nil {
			t.Fatal(err)
		}
		name, query, err := domain.NewSavedView{Name: tc.name, Filter: q}.Normalise()
		if tc.wantField != "" {
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorFields(err)[tc.wantField] == "" ||
				!strings.Contains(domain.ErrorMessage(err), tc.wantInMsg) {
				t.Errorf("%q %q: err %v, want EINVALID on %s saying %q", tc.name, tc.filter, err, tc.wantField, tc.wantInMsg)
			}
			continue
		}
		if err != nil || name != tc.wantName || query != tc.wantQuery {
			t.Errorf("%q %q: %q %q %v, want %q %q", tc.name, tc.filter, name, query, err, tc.wantName, tc.wantQuery)
		}
	}
}

// TestIssueFilterSet: the order and the page are no filter; an empty value is none either.
func TestIssueFilterSet(t *testing.T) {
	for query, want := range map[string]bool{
		"": false, "status=": false, "status=,": false, "sort=title&order=asc&page=2": false,
		"status=open": true, "severity=critical": true, "category=linux": true, "assignee=me": true, "q=disk": true,
	} {
		q, _ := url.ParseQuery(query)
		if got := domain.IssueFilterSet(q); got != want {
			t.Errorf("IssueFilterSet(%q) = %v, want %v", query, got, want)
		}
	}
}

// TestSavedViewListURL: a view opens the incident list with its filters; one without filters
// lists every incident, not just the open ones the page opens on.
func TestSavedViewListURL(t *testing.T) {
	if got := (&domain.SavedView{Query: "status=open"}).ListURL(); got != "/issues?status=open" {
		t.Errorf("ListURL = %q", got)
	}
	if got := (&domain.SavedView{}).ListURL(); got != "/issues?status=" {
		t.Errorf("ListURL without filters = %q", got)
	}
}
