package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"tftsr/domain"
)

// listTitles returns the titles of the incident list's rows, in order.
func listTitles(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="issue-table"] tbody tr td[data-label="Title"] a`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s.Text()), s.Find(".issue-ref").Text())))
	})
	return out
}

// TestIssueListTextSortAndClear: the incidents page filters by text, sorts by the clicked
// column (aria-sort says which way, the links keep the filters), and offers "Clear filters"
// only while a filter is set.
func TestIssueListTextSortAndClear(t *testing.T) {
	p := newTestPortal(t)
	rita := p.login(t, "rita")
	for _, is := range []struct{ title, sev string }{{"Zebra printer offline", "critical"}, {"Mail queue stuck", "low"}, {"Badge printer jams", "high"}} {
		resp := rita.postForm("/issues", url.Values{"title": {is.title}, "severity": {is.sev}, "category": {"general"}, "_csrf": {rita.csrf()}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create %q: %d %s", is.title, resp.StatusCode, resp.Body)
		}
	}

	doc := parseDoc(t, rita.get("/issues?status=open&q=printer&sort=title&order=asc", nil))
	if got := strings.Join(listTitles(doc), "|"); got != "Badge printer jams|Zebra printer offline" {
		t.Errorf("printer by title: %q", got)
	}
	if v, _ := doc.Find("#filter-q").Attr("value"); v != "printer" {
		t.Errorf("filter input value %q", v)
	}
	th := doc.Find(`th:has(a[data-sort="title"])`)
	if v, _ := th.Attr("aria-sort"); v != "ascending" {
		t.Errorf("title aria-sort %q", v)
	}
	if v, _ := doc.Find(`th:has(a[data-sort="severity"])`).Attr("aria-sort"); v != "none" {
		t.Errorf("severity aria-sort %q", v)
	}
	href, _ := th.Find("a").Attr("href")
	u, _ := url.Parse(href)
	if q := u.Query(); q.Get("sort") != "title" || q.Get("order") != "desc" || q.Get("q") != "printer" || q.Get("status") != "open" {
		t.Errorf("title header link %q: want the other direction with the filters", href)
	}
	href, _ = doc.Find(`a[data-sort="severity"]`).Attr("href")
	if u, _ := url.Parse(href); u.Query().Get("order") != "desc" || u.Query().Get("q") != "printer" {
		t.Errorf("severity header link %q", href)
	}
	clear := doc.Find(`[data-testid="clear-filters"]`)
	href, ok := clear.Attr("href")
	if !ok {
		t.Fatal("no Clear filters link while filtering")
	}
	if u, _ := url.Parse(href); u.Query().Get("q") != "" || u.Query().Get("status") != "" || u.Query().Get("sort") != "title" {
		t.Errorf("Clear filters goes to %q", href)
	}

	doc = parseDoc(t, rita.get(href, nil))
	if got := strings.Join(listTitles(doc), "|"); got != "Badge printer jams|Mail queue stuck|Zebra printer offline" {
		t.Errorf("cleared, by title: %q", got)
	}
	if doc.Find(`[data-testid="clear-filters"]`).Length() != 0 {
		t.Error("Clear filters shown with no filter set")
	}

	doc = parseDoc(t, rita.get("/issues?status=&sort=severity&order=desc", nil))
	if got := strings.Join(listTitles(doc), "|"); got != "Zebra printer offline|Badge printer jams|Mail queue stuck" {
		t.Errorf("by severity: %q", got)
	}
	if doc.Find(`td[data-label="Status"] .badge, td[data-label="Status"] span`).Length() != 3 {
		t.Error("every row has a labelled status cell")
	}

	// An INC ref finds its incident; markup in the text is only text.
	ref := strings.TrimSpace(doc.Find(".issue-ref").First().Text())
	doc = parseDoc(t, rita.get("/issues?status=&q="+url.QueryEscape(ref), nil))
	if got := strings.Join(listTitles(doc), "|"); got != "Zebra printer offline" {
		t.Errorf("%s finds %q", ref, got)
	}
	resp := rita.get("/issues?q="+url.QueryEscape(`<script>alert(1)</script>`), nil)
	if resp.StatusCode != http.StatusOK || strings.Contains(resp.Body, "<script>alert(1)") {
		t.Errorf("markup in the filter text: %d, echoed unescaped: %v", resp.StatusCode, strings.Contains(resp.Body, "<script>alert(1)"))
	}
	if resp := rita.get("/issues?sort=priority", nil); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "Unknown sort") {
		t.Errorf("bad sort: %d", resp.StatusCode)
	}
}

// TestSavedViews: a user saves the list's filters under a name, sees them as links above the
// list and deletes them; names are checked and escaped; nobody else sees or deletes them; CSRF
// guards both changes.
func TestSavedViews(t *testing.T) {
	p := newTestPortal(t)
	rita := p.login(t, "rita")
	save := func(c *client, name, filter string) *response {
		t.Helper()
		return c.postForm("/saved-views", url.Values{"name": {name}, "filter": {filter}, "_csrf": {c.csrf()}}, nil)
	}

	resp := save(rita, "  <b>My open criticals</b> ", "severity=critical&status=open,triaging&assignee=me&page=3&q=+disk+")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, resp.Body)
	}
	want := "/issues?assignee=me&q=disk&severity=critical&status=open&status=triaging"
	if loc := resp.Header.Get("Location"); loc != want {
		t.Errorf("saved view opens %q, want %q", loc, want)
	}
	page := rita.get(want, nil)
	if strings.Contains(page.Body, "<b>My open criticals") {
		t.Error("a view name's markup reaches the page unescaped")
	}
	doc := parseDoc(t, page)
	link := doc.Find(`[data-testid="saved-view"]`)
	if link.Length() != 1 || link.Text() != "<b>My open criticals</b>" {
		t.Fatalf("saved view links %d: %q", link.Length(), link.Text())
	}
	if href, _ := link.Attr("href"); href != want {
		t.Errorf("saved view link %q", href)
	}
	if !strings.Contains(doc.Find(".flash").Text(), "saved") {
		t.Errorf("flash %q", doc.Find(".flash").Text())
	}
	action, _ := doc.Find(`[data-testid="saved-views"] form`).Attr("action")
	id := strings.TrimSuffix(strings.TrimPrefix(action, "/saved-views/"), "/delete")
	if _, err := url.Parse(action); err != nil || id == "" || id == action {
		t.Fatalf("delete form action %q", action)
	}
	// The save form carries the current filters.
	if v, _ := doc.Find(`[data-testid="save-view"] input[name="filter"]`).Attr("value"); v != strings.TrimPrefix(want, "/issues?") {
		t.Errorf("save form filter %q", v)
	}

	for name, tc := range map[string]struct {
		name, filter, wantMsg string
	}{
		"Duplicate":  {"<B>MY OPEN CRITICALS</B>", "status=open", "already have a view named"},
		"Empty":      {"   ", "status=open", "Give the view a name."},
		"TooLong":    {strings.Repeat("n", domain.MaxSavedViewNameRunes+1), "", "at most 60 characters"},
		"TwoLines":   {"a\nb", "", "plain text on one line"},
		"BadFilter":  {"burning", "status=burning", "Unknown status"},
		"BadSort":    {"sorted", "sort=priority", "Unknown sort"},
		"BadEncoded": {"broken", "status=%zz", "not a query string"},
	} {
		resp := save(rita, tc.name, tc.filter)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, tc.wantMsg) {
			t.Errorf("%s: %d, want 422 with %q", name, resp.StatusCode, tc.wantMsg)
		}
	}

	// CSRF guards saving and deleting.
	if resp := rita.postForm("/saved-views", url.Values{"name": {"no token"}, "filter": {""}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("save without CSRF: %d", resp.StatusCode)
	}
	if resp := rita.postForm("/saved-views/"+id+"/delete", url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("delete without CSRF: %d", resp.StatusCode)
	}

	// Another user neither sees nor deletes it, and keeps views of their own.
	vic := p.login(t, "vic")
	if n := parseDoc(t, vic.get("/issues", nil)).Find(`[data-testid="saved-view"]`).Length(); n != 0 {
		t.Errorf("vic sees %d of rita's views", n)
	}
	if resp := vic.postForm("/saved-views/"+id+"/delete", url.Values{"_csrf": {vic.csrf()}}, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("vic deletes rita's view: %d", resp.StatusCode)
	}
	if resp := save(vic, "My open criticals", ""); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/issues?status=" {
		t.Errorf("vic saves the same name: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := rita.postForm("/saved-views/not-an-id/delete", url.Values{"_csrf": {rita.csrf()}}, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("delete of a bad id: %d", resp.StatusCode)
	}

	if resp := rita.postForm("/saved-views/"+id+"/delete", url.Values{"_csrf": {rita.csrf()}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rita deletes her view: %d %s", resp.StatusCode, resp.Body)
	}
	if n := parseDoc(t, rita.get("/issues", nil)).Find(`[data-testid="saved-view"]`).Length(); n != 0 {
		t.Errorf("after delete rita has %d views", n)
	}
	if n := parseDoc(t, vic.get("/issues", nil)).Find(`[data-testid="saved-view"]`).Length(); n != 1 {
		t.Errorf("vic has %d views, want 1", n)
	}
}
