package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"tftsr/domain"
)

// TestIssueList_PageAndAPIAgree sends the same query to the incidents page and to the API's
// list_issues and checks that both read the same filter, or refuse the same parameters.
func TestIssueList_PageAndAPIAgree(t *testing.T) {
	const bob = "0190a000-0000-7000-8000-00000000000b"
	ts := mustOpenServer(t, testResponder)
	ts.Users.FindUsersFn = allUsers
	var got []domain.IssueFilter
	ts.Issues.FindIssuesFn = func(_ context.Context, f domain.IssueFilter) ([]*domain.IssueSummary, int, error) {
		got = append(got, f)
		at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		return []*domain.IssueSummary{{ID: "i-1", Title: "Disk full", Severity: domain.SeverityHigh, Status: domain.StatusOpen,
			Category: "linux", CreatedAt: at, UpdatedAt: at}}, 1, nil
	}
	c := ts.mustLogin(t, testResponder)

	tests := []struct {
		name, query string
		// wantFields are the parameters both refuse; none: both list.
		wantFields []string
	}{
		{"statuses, repeated", "status=open&status=triaging", nil},
		{"statuses, comma-separated", "status=open,triaging&severity=critical", nil},
		{"the pages' All choices", "status=investigating&category=&assignee=", nil},
		{"category", "status=open&category=network&category=linux", nil},
		{"unassigned", "assignee=none", nil},
		{"mine", "assignee=me", nil},
		{"a user", "assignee=" + bob, nil},
		{"sort and order", "sort=created_at&order=asc", nil},
		{"paging", "status=open&page=2&per_page=20", nil},
		{"a page far past the end", "page=9999999", nil},
		{"unknown status", "status=burning", []string{"status"}},
		{"unknown severity", "severity=P1", []string{"severity"}},
		{"unknown category", "category=plumbing", []string{"category"}},
		{"assignee that is no id", "assignee=bob", []string{"assignee"}},
		{"text", "q=disk+full", nil},
		{"an INC ref", "q=INC-12&status=open", nil},
		{"text with markup and commas", "q=%3Cb%3Ea,b%3C/b%3E", nil},
		{"sort by title", "sort=title&order=asc", nil},
		{"sort by severity", "sort=severity", nil},
		{"sort by status", "sort=status&order=desc", nil},
		{"sort by ref", "sort=ref", nil},
		{"unknown sort", "sort=priority", []string{"sort"}},
		{"sort by an SQL fragment", "sort=title%3BDROP+TABLE+issues", []string{"sort"}},
		{"text too long", "q=" + strings.Repeat("x", domain.MaxSearchQueryLen+1), []string{"q"}},
		{"unknown order", "order=sideways", []string{"order"}},
		{"page not a number", "page=two", []string{"page"}},
		{"page 0", "page=0", []string{"page"}},
		{"per_page over the limit", "per_page=500", []string{"per_page"}},
		{"several at once", "status=x&sort=x&per_page=0", []string{"per_page", "sort", "status"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			page := c.get("/issues?" + tc.query)
			api := c.get("/api/v1/issues?"+tc.query, "Accept", "application/json")

			if tc.wantFields == nil {
				wantStatus(t, page, http.StatusOK)
				wantStatus(t, api, http.StatusOK)
				if len(got) != 2 {
					t.Fatalf("FindIssues called %d times, want 2", len(got))
				}
				if !reflect.DeepEqual(got[0], got[1]) {
					t.Errorf("page filter %+v, API filter %+v", got[0], got[1])
				}
				var body struct {
					Items []domain.IssueSummary `json:"items"`
					Total int                   `json:"total"`
				}
				if err := json.Unmarshal([]byte(api.Body), &body); err != nil || body.Total != 1 || len(body.Items) != 1 || body.Items[0].ID != "i-1" {
					t.Errorf("API body %s (%v)", api.Body, err)
				}
				doc := mustParseHTML(t, page)
				if n := doc.Find(`[data-testid="issue-table"] tbody tr`).Length(); n != 1 {
					t.Errorf("page lists %d incidents, want 1", n)
				}
				// The form shows the statuses the filter holds.
				var checked []string
				doc.Find(`input[name="status"][checked]`).Each(func(_ int, s *goquery.Selection) {
					checked = append(checked, s.AttrOr("value", ""))
				})
				var want []string
				for _, st := range got[0].Status {
					want = append(want, string(st))
				}
				slices.Sort(checked)
				slices.Sort(want)
				if !slices.Equal(checked, want) {
					t.Errorf("checked statuses %v, want %v", checked, want)
				}
				return
			}

			if len(got) != 0 {
				t.Errorf("FindIssues called with refused input: %+v", got)
			}
			wantStatus(t, api, http.StatusUnprocessableEntity)
			wantStatus(t, page, http.StatusUnprocessableEntity)
			var body struct {
				Error struct {
					Code    string            `json:"code"`
					Message string            `json:"message"`
					Fields  map[string]string `json:"fields"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(api.Body), &body); err != nil {
				t.Fatalf("API body %s: %v", api.Body, err)
			}
			var fields []string
			for k := range body.Error.Fields {
				fields = append(fields, k)
			}
			slices.Sort(fields)
			if body.Error.Code != domain.EINVALID || !slices.Equal(fields, tc.wantFields) {
				t.Errorf("API error %+v, want %s on %v", body.Error, domain.EINVALID, tc.wantFields)
			}
			// The page's error names what the API's fields name.
			doc := mustParseHTML(t, page)
			if got := strings.TrimSpace(doc.Find(".error-page p").First().Text()); got != body.Error.Message {
				t.Errorf("page error %q, want %q", got, body.Error.Message)
			}
			for _, k := range tc.wantFields {
				if !strings.Contains(body.Error.Message, body.Error.Fields[k]) {
					t.Errorf("message %q lacks the %s message %q", body.Error.Message, k, body.Error.Fields[k])
				}
			}
		})
	}
}

// TestIssueList_BadFilterFromHTMX checks that a bad filter from the list's form is a toast naming
// the parameter, not a swapped-in error page.
func TestIssueList_BadFilterFromHTMX(t *testing.T) {
	ts := mustOpenServer(t, testResponder)
	ts.Issues.FindIssuesFn = func(context.Context, domain.IssueFilter) ([]*domain.IssueSummary, int, error) {
		t.Error("FindIssues called with a bad filter")
		return nil, 0, nil
	}
	c := ts.mustLogin(t, testResponder)
	resp := c.get("/issues?status=open&sort=priority", "HX-Request", "true", "HX-Target", "issue-list")
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if got := resp.Header.Get("HX-Retarget"); got != "#toasts" {
		t.Errorf("HX-Retarget = %q", got)
	}
	doc := mustParseHTML(t, resp)
	if msg := doc.Find(".toast.error span").Text(); !strings.Contains(msg, `Unknown sort "priority"`) {
		t.Errorf("toast %q does not name the sort", msg)
	}
}
