package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"tftsr/domain"
	"tftsr/views"
)

// tabSections are the sections each tab of the incident page shows, by their DOM ids.
var tabSections = map[views.IssueTab][]string{
	views.TabOverview:    {"overview", views.IncidentTimesID},
	views.TabTimeline:    {views.TimelineID, views.TimelineEventsID},
	views.TabFiveWhys:    {views.FiveWhysID},
	views.TabChat:        {views.ChatID},
	views.TabLogs:        {views.LogsID},
	views.TabImages:      {views.ImagesID},
	views.TabDocuments:   {views.DocumentsID},
	views.TabActionItems: {views.ActionItemsID},
}

// wantTab checks an incident page or tab swap: the panel is the tab's, labelled by its tab, the
// tab bar selects that tab alone (and alone in the tab order), each tab links to its URL, and
// the panel holds the tab's sections and none of the other tabs'.
func wantTab(t *testing.T, doc *goquery.Document, issueID string, tab views.IssueTab) {
	t.Helper()
	panel := doc.Find("#" + views.IssuePanelID)
	if panel.Length() != 1 || panel.AttrOr("role", "") != "tabpanel" || panel.AttrOr("aria-labelledby", "") != tab.TabID() {
		t.Fatalf("%s: panel role %q labelled by %q", tab.Slug(), panel.AttrOr("role", ""), panel.AttrOr("aria-labelledby", ""))
	}
	tabs := doc.Find(`#` + views.IssueTabsID + ` [role="tablist"] [role="tab"]`)
	if tabs.Length() != len(views.IssueTabs) {
		t.Fatalf("%s: %d tabs, want %d", tab.Slug(), tabs.Length(), len(views.IssueTabs))
	}
	tabs.Each(func(i int, el *goquery.Selection) {
		want := views.IssueTabs[i]
		selected := want == tab
		if el.AttrOr("id", "") != want.TabID() || el.AttrOr("href", "") != views.IssueTabPath(issueID, want) ||
			el.AttrOr("hx-get", "") != views.IssueTabPath(issueID, want) || el.AttrOr("hx-push-url", "") != "true" ||
			el.AttrOr("hx-target", "") != "#"+views.IssuePanelID || el.AttrOr("aria-controls", "") != views.IssuePanelID {
			t.Errorf("%s: tab %d is %q to %q", tab.Slug(), i, el.AttrOr("id", ""), el.AttrOr("href", ""))
		}
		if (el.AttrOr("aria-selected", "") == "true") != selected || (el.AttrOr("tabindex", "") == "0") != selected {
			t.Errorf("%s: tab %s aria-selected=%q tabindex=%q", tab.Slug(), want.Slug(), el.AttrOr("aria-selected", ""), el.AttrOr("tabindex", ""))
		}
	})
	for other, ids := range tabSections {
		for _, id := range ids {
			if got := panel.Find("#"+id).Length() == 1; got != (other == tab) {
				t.Errorf("%s tab: section #%s shown %v", tab.Slug(), id, got)
			}
		}
	}
}

// TestIncidentTabs: each tab's URL opened directly (or reloaded, or restored from history) is
// the whole page with that tab active; opened with htmx it is the tab's panel with the tab bar
// and header out of band; the incident's ref works as its id; the tab bar reloads with its
// counts; an unknown tab is refused; a viewer reads every tab without the forms.
func TestIncidentTabs(t *testing.T) {
	p := newSectionsPortal(t)
	for _, tab := range views.IssueTabs {
		path := views.IssueTabPath(p.issueID, tab)
		r := p.rita.get(path, nil)
		doc := pageDoc(t, r)
		if doc.Find(".sidebar").Length() != 1 || doc.Find("#"+views.IssueDetailID).Length() != 1 {
			t.Fatalf("%s: not the whole page", path)
		}
		wantTab(t, doc, p.issueID, tab)
		if doc.Find(`.issue-sticky #`+views.IssueHeaderID).Length() != 1 || doc.Find(`.issue-sticky #`+views.IssueTabsID).Length() != 1 {
			t.Errorf("%s: the header and tab bar are not in the sticky part", path)
		}

		// A tab clicked with htmx: the panel, and out of band the tab bar and the header.
		r = p.rita.get(path, http.Header{"Hx-Request": {"true"}, "Hx-Current-Url": {"http://portal.test/issues/" + p.issueID}})
		doc = pageDoc(t, r)
		var got []swap
		doc.Find("body").Children().Each(func(_ int, el *goquery.Selection) {
			_, oob := el.Attr("hx-swap-oob")
			got = append(got, swap{el.AttrOr("id", goquery.NodeName(el)), oob})
		})
		if want := []swap{{views.IssuePanelID, false}, {views.IssueTabsID, true}, {views.IssueHeaderID, true}}; !slices.Equal(got, want) {
			t.Errorf("%s with htmx: swaps %v, want %v", path, got, want)
		}
		wantTab(t, doc, p.issueID, tab)

		// Back or Forward without htmx's cache: the whole page.
		r = p.rita.get(path, http.Header{"Hx-Request": {"true"}, "Hx-History-Restore-Request": {"true"}})
		if doc := pageDoc(t, r); doc.Find(".sidebar").Length() != 1 {
			t.Errorf("%s: a history restore got a fragment", path)
		} else {
			wantTab(t, doc, p.issueID, tab)
		}
	}

	// The incident's ref (INC-1) names it as well.
	wantTab(t, pageDoc(t, p.rita.get("/issues/INC-1/logs", nil)), p.issueID, views.TabLogs)

	// The tab bar's reload after a change: its counts, the tab named selected, the header with
	// header=1.
	p.rita.api(http.MethodPost, "/api/v1/issues/"+p.issueID+"/five-whys", p.token, map[string]any{"why_number": 1, "question": "Why?", "answer": "Because."})
	for range 2 {
		p.rita.api(http.MethodPost, "/api/v1/issues/"+p.issueID+"/action-items", p.token, map[string]any{"action": "Add an alert", "priority": "P1"})
	}
	r := p.rita.get("/issues/"+p.issueID+"/tabs?tab=action-items", http.Header{"Hx-Request": {"true"}})
	doc := wantSwaps(t, r, http.StatusOK, swap{views.IssueTabsID, false})
	if got := doc.Find(`[aria-selected="true"]`).AttrOr("id", ""); got != "tab-action-items" {
		t.Errorf("refreshed tab bar selects %q", got)
	}
	for sel, want := range map[string]string{"tab-count-five-whys": "1/5", "tab-count-action-items": "2 open"} {
		if got := text(doc.Find(`[data-testid="` + sel + `"]`)); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if doc.Find(`[data-testid="tab-count-logs"]`).Length() != 0 {
		t.Error("a count of no logs is shown")
	}
	wantSwaps(t, p.rita.get("/issues/"+p.issueID+"/tabs?tab=chat&header=1", http.Header{"Hx-Request": {"true"}}), http.StatusOK,
		swap{views.IssueTabsID, false}, swap{views.IssueHeaderID, true})
	if r := p.rita.get("/issues/"+p.issueID+"/tabs?tab=%3Cb%3E", http.Header{"Hx-Request": {"true"}}); r.StatusCode != http.StatusBadRequest ||
		strings.Contains(r.Body, "<b>") {
		t.Errorf("unknown tab: %d %s", r.StatusCode, r.Body)
	}
	if r := p.rita.get("/issues/"+p.issueID+"/nope", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown tab page: %d", r.StatusCode)
	}
	if r := p.rita.get("/issues/00000000-0000-7000-8000-000000000000/logs", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("tab of an unknown incident: %d", r.StatusCode)
	}

	// A viewer reads every tab, without the forms.
	vic := p.login(t, "vic")
	for _, tab := range views.IssueTabs {
		doc := pageDoc(t, vic.get(views.IssueTabPath(p.issueID, tab), nil))
		wantTab(t, doc, p.issueID, tab)
		if n := doc.Find(`#` + views.IssuePanelID + ` form[method="post"]`).Length(); n != 0 {
			t.Errorf("viewer on %s: %d forms", tab.Slug(), n)
		}
	}
	// Signed out, a tab asks for the sign-in and comes back to it.
	anon := p.anonymous(t)
	if r := anon.get(views.IssueTabPath(p.issueID, views.TabLogs), nil); r.StatusCode != http.StatusSeeOther ||
		!strings.Contains(r.Header.Get("Location"), url.QueryEscape(views.IssueTabPath(p.issueID, views.TabLogs))) {
		t.Errorf("signed out: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
}

// TestIncidentTabLoadsItsParts: a tab costs what it shows: each tab loads its own parts of the
// incident and the tab bar's counts, never the whole incident, and the Overview none of them.
func TestIncidentTabLoadsItsParts(t *testing.T) {
	at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	want := map[views.IssueTab]domain.IssueParts{
		views.TabOverview:    0,
		views.TabTimeline:    domain.IssueTimeline,
		views.TabFiveWhys:    domain.IssueFiveWhys | domain.IssueLogs,
		views.TabChat:        domain.IssueConversations | domain.IssueFiveWhys | domain.IssueLogs,
		views.TabLogs:        domain.IssueLogs,
		views.TabImages:      domain.IssueImages,
		views.TabDocuments:   domain.IssueDocuments,
		views.TabActionItems: 0,
	}
	ts := mustOpenServer(t, testResponder)
	ts.Users.FindUsersFn = allUsers
	var loaded []domain.IssueParts
	ts.Issues.FindIssuePartsFn = func(_ context.Context, id string, parts domain.IssueParts) (*domain.IssueDetail, error) {
		loaded = append(loaded, parts)
		return &domain.IssueDetail{Issue: &domain.Issue{ID: "i-1", Ref: "INC-1", Title: "Queue backs up", Severity: domain.SeverityHigh,
			Category: "application", Status: domain.StatusOpen, CreatedAt: at, UpdatedAt: at}, Counts: &domain.IssueCounts{Logs: 3}}, nil
	}
	c := ts.mustLogin(t, testResponder)
	for _, tab := range views.IssueTabs {
		loaded = nil
		r := c.get(views.IssueTabPath("i-1", tab))
		wantStatus(t, r, http.StatusOK)
		if len(loaded) != 1 || loaded[0] != want[tab]|domain.IssueTabCounts {
			t.Errorf("%s tab loaded parts %b, want %b", tab.Slug(), loaded, want[tab]|domain.IssueTabCounts)
		}
		if !strings.Contains(r.Body, `data-testid="tab-count-logs">3</span>`) {
			t.Errorf("%s tab: no log count in the tab bar", tab.Slug())
		}
	}
}
