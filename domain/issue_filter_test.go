package domain_test

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"tftsr/domain"
)

func TestParseIssueFilter(t *testing.T) {
	const me = "0190a000-0000-7000-8000-00000000000a"
	const bob = "0190a000-0000-7000-8000-00000000000b"
	unassigned, mine, bobs := "", me, bob
	// base is the filter of an empty query; tests change what their query sets.
	base := func(change func(*domain.IssueFilter)) domain.IssueFilter {
		f := domain.IssueFilter{Sort: "updated_at", Desc: true, Page: 1, PerPage: domain.DefaultPerPage}
		if change != nil {
			change(&f)
		}
		return f
	}

	tests := []struct {
		name  string
		query string
		want  domain.IssueFilter
		// wantFields are the refused parameters; the filter is then not checked.
		wantFields []string
	}{
		{name: "empty", query: "", want: base(nil)},
		{name: "repeated statuses", query: "status=open&status=triaging", want: base(func(f *domain.IssueFilter) {
			f.Status = []domain.Status{domain.StatusOpen, domain.StatusTriaging}
		})},
		{name: "comma-separated values", query: "status=open,%20resolved&severity=critical,high", want: base(func(f *domain.IssueFilter) {
			f.Status = []domain.Status{domain.StatusOpen, domain.StatusResolved}
			f.Severity = []domain.Severity{domain.SeverityCritical, domain.SeverityHigh}
		})},
		{name: "empty values are the pages' All", query: "category=&assignee=&sort=&order=&status=,", want: base(nil)},
		{name: "categories", query: "category=network&category=hpe_infra", want: base(func(f *domain.IssueFilter) {
			f.Category = []domain.Category{"network", "hpe_infra"}
		})},
		{name: "unassigned", query: "assignee=none", want: base(func(f *domain.IssueFilter) { f.AssigneeID = &unassigned })},
		{name: "mine", query: "assignee=me", want: base(func(f *domain.IssueFilter) { f.AssigneeID = &mine })},
		{name: "a user, spelt in capitals", query: "assignee=" + strings.ToUpper(bob), want: base(func(f *domain.IssueFilter) { f.AssigneeID = &bobs })},
		{name: "sort and order", query: "sort=created_at&order=asc", want: base(func(f *domain.IssueFilter) {
			f.Sort, f.Desc = "created_at", false
		})},
		{name: "order desc", query: "sort=updated_at&order=desc", want: base(nil)},
		{name: "paging", query: "page=3&per_page=200", want: base(func(f *domain.IssueFilter) { f.Page, f.PerPage = 3, 200 })},
		{name: "a page far past the end", query: "page=5000000", want: base(func(f *domain.IssueFilter) { f.Page = 1_000_000 })},
		{name: "other parameters are ignored", query: "text=disk&_csrf=x", want: base(nil)},
		{name: "text, trimmed", query: "q=%20disk%20full%20", want: base(func(f *domain.IssueFilter) { f.Query = "disk full" })},
		{name: "text of the longest length", query: "q=" + strings.Repeat("x", domain.MaxSearchQueryLen), want: base(func(f *domain.IssueFilter) {
			f.Query = strings.Repeat("x", domain.MaxSearchQueryLen)
		})},
		{name: "sort by severity", query: "sort=severity&order=desc", want: base(func(f *domain.IssueFilter) { f.Sort = "severity" })},
		{name: "sort by title", query: "sort=title&order=asc", want: base(func(f *domain.IssueFilter) { f.Sort, f.Desc = "title", false })},
		{name: "sort by status and ref", query: "sort=status", want: base(func(f *domain.IssueFilter) { f.Sort = "status" })},

		{name: "unknown status", query: "status=open&status=burning", wantFields: []string{"status"}},
		{name: "unknown severity among commas", query: "severity=high,P1", wantFields: []string{"severity"}},
		{name: "unknown category", query: "category=plumbing", wantFields: []string{"category"}},
		{name: "status in capitals", query: "status=Open", wantFields: []string{"status"}},
		{name: "assignee that is no id", query: "assignee=bob", wantFields: []string{"assignee"}},
		{name: "unknown sort", query: "sort=priority", wantFields: []string{"sort"}},
		{name: "sort in capitals", query: "sort=Title", wantFields: []string{"sort"}},
		{name: "text too long", query: "q=" + strings.Repeat("x", domain.MaxSearchQueryLen+1), wantFields: []string{"q"}},
		{name: "unknown order", query: "order=up", wantFields: []string{"order"}},
		{name: "page 0", query: "page=0", wantFields: []string{"page"}},
		{name: "negative page", query: "page=-2", wantFields: []string{"page"}},
		{name: "page not a number", query: "page=two", wantFields: []string{"page"}},
		{name: "page too large to read", query: "page=99999999999999999999999", wantFields: []string{"page"}},
		{name: "per_page 0", query: "per_page=0", wantFields: []string{"per_page"}},
		{name: "per_page over the limit", query: "per_page=201", wantFields: []string{"per_page"}},
		{name: "per_page not a number", query: "per_page=1e2", wantFields: []string{"per_page"}},
		{name: "every field at once", query: "status=x&severity=x&category=x&assignee=x&sort=x&order=x&page=x&per_page=x&q=" + strings.Repeat("x", 501),
			wantFields: []string{"assignee", "category", "order", "page", "per_page", "q", "severity", "sort", "status"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			f, err := domain.ParseIssueFilter(q, me)
			if tc.wantFields == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if !reflect.DeepEqual(f, tc.want) {
					t.Errorf("filter = %+v, want %+v", f, tc.want)
				}
				return
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("err = %v, want %s", err, domain.EINVALID)
			}
			fields := domain.ErrorFields(err)
			var names []string
			for k, msg := range fields {
				names = append(names, k)
				// Every message names its parameter, and the error's message carries them all.
				if !strings.Contains(strings.ReplaceAll(strings.ToLower(msg), " ", "_"), k) {
					t.Errorf("field %s: message %q does not name it", k, msg)
				}
				if !strings.Contains(domain.ErrorMessage(err), msg) {
					t.Errorf("message %q lacks %q", domain.ErrorMessage(err), msg)
				}
			}
			slices.Sort(names)
			if !slices.Equal(names, tc.wantFields) {
				t.Errorf("fields = %v, want %v", names, tc.wantFields)
			}
		})
	}
}

func TestParseIssueFilter_Messages(t *testing.T) {
	q := url.Values{"status": {"burning"}, "per_page": {"500"}, "assignee": {strings.Repeat("x", 100)}}
	_, err := domain.ParseIssueFilter(q, "u")
	want := map[string]string{
		"status":   `Unknown status "burning": choose open, triaging, investigating, resolved or closed.`,
		"per_page": `Invalid per_page "500": give a page size from 1 to 200.`,
		"assignee": `Unknown assignee "` + strings.Repeat("x", 40) + `…": give a user id, none or me.`,
	}
	if got := domain.ErrorFields(err); !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %q, want %q", got, want)
	}
	if got := domain.ErrorMessage(err); got != want["status"]+" "+want["assignee"]+" "+want["per_page"] {
		t.Errorf("message = %q", got)
	}
}

func TestParseIssueFilter_MeWithoutUser(t *testing.T) {
	_, err := domain.ParseIssueFilter(url.Values{"assignee": {"me"}}, "")
	if _, ok := domain.ErrorFields(err)["assignee"]; !ok {
		t.Errorf("err = %v, want a message on assignee", err)
	}
}

func TestParsePage(t *testing.T) {
	tests := []struct {
		query         string
		page, perPage int
		field         string
	}{
		{"", 1, domain.DefaultPerPage, ""},
		{"page=&per_page=", 1, domain.DefaultPerPage, ""},
		{"page=2&per_page=10", 2, 10, ""},
		{"per_page=200", 1, 200, ""},
		{"page=2000000", 1_000_000, domain.DefaultPerPage, ""},
		{"page=0", 0, 0, "page"},
		{"page=1.5", 0, 0, "page"},
		{"page=%201", 0, 0, "page"},
		{"per_page=-1", 0, 0, "per_page"},
		{"per_page=201", 0, 0, "per_page"},
	}
	for _, tc := range tests {
		q, _ := url.ParseQuery(tc.query)
		page, perPage, err := domain.ParsePage(q)
		if tc.field != "" {
			if _, ok := domain.ErrorFields(err)[tc.field]; !ok || domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("%q: err = %v, want EINVALID on %s", tc.query, err, tc.field)
			}
			continue
		}
		if err != nil || page != tc.page || perPage != tc.perPage {
			t.Errorf("%q: %d, %d, %v; want %d, %d", tc.query, page, perPage, err, tc.page, tc.perPage)
		}
	}
}
