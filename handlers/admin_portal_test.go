package handlers_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"tftsr/domain"
)

// adminPortal is a real portal with the test users, the admin signed in and the ids of its users.
type adminPortal struct {
	p     *testPortal
	admin *client
	ids   map[string]string
}

func newAdminPortal(t *testing.T) *adminPortal {
	t.Helper()
	p := newTestPortal(t)
	a := &adminPortal{p: p, admin: p.login(t, "admin"), ids: map[string]string{}}
	for _, name := range []string{"admin", "rita", "vic"} {
		a.ids[name] = a.user(t, name).ID
	}
	return a
}

func (a *adminPortal) user(t *testing.T, name string) *domain.User {
	t.Helper()
	u, err := a.p.users.FindUserByUsername(domain.NewSystemContext(context.Background(), "test"), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustDoc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// wantCardCells fails unless every cell of every table.cards in doc carries a data-label.
func wantCardCells(t *testing.T, doc *goquery.Document) {
	t.Helper()
	if doc.Find("table.cards").Length() == 0 {
		t.Fatal("no table.cards")
	}
	doc.Find("table.cards td").Each(func(_ int, td *goquery.Selection) {
		if l, ok := td.Attr("data-label"); !ok || l == "" {
			h, _ := td.Html()
			t.Errorf("a cell has no data-label: %.100s", h)
		}
	})
}

func TestAdminUsersSearchAndPaging(t *testing.T) {
	a := newAdminPortal(t)
	sys := domain.NewSystemContext(context.Background(), "test")
	for i := range 55 {
		if _, err := a.p.users.CreateUser(sys, domain.NewUser{Username: fmt.Sprintf("ops%02d", i), DisplayName: fmt.Sprintf("Night shift %d", i),
			Role: domain.RoleViewer, Password: portalPassword}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.p.users.CreateUser(sys, domain.NewUser{Username: "jdoe", DisplayName: "Jane <b>Doe</b>", Role: domain.RoleResponder, Password: portalPassword}); err != nil {
		t.Fatal(err)
	}

	// 59 users: 50 on the first page, a pager to the second.
	r := a.admin.get("/admin/users", nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	doc := mustDoc(t, r.Body)
	wantCardCells(t, doc)
	if n := doc.Find("#user-table tbody tr").Length(); n != 50 {
		t.Errorf("%d rows on page 1, want 50", n)
	}
	if got := doc.Find(`[data-testid="user-count"]`).Text(); got != "59 users" {
		t.Errorf("count %q", got)
	}
	if got := doc.Find(".pager span").Text(); got != "Page 1 of 2" {
		t.Errorf("pager %q", got)
	}
	if href, _ := doc.Find(`.pager a[rel="next"]`).Attr("href"); href != "/admin/users?page=2" {
		t.Errorf("next page link %q", href)
	}
	// The admin signed in: a time with its zone; vic never did.
	admin := doc.Find(`#user-` + a.ids["admin"] + ` td[data-label="Last sign-in"]`)
	if dt, _ := admin.Find("time").Attr("datetime"); dt == "" || !strings.HasSuffix(admin.Text(), "UTC") {
		t.Errorf("admin's last sign-in %q (%q)", admin.Text(), dt)
	}

	// Page 2 holds the rest, vic last: never signed in.
	doc = mustDoc(t, a.admin.get("/admin/users?page=2", nil).Body)
	if n := doc.Find("#user-table tbody tr").Length(); n != 9 {
		t.Errorf("%d rows on page 2, want 9", n)
	}
	if got := doc.Find(`#user-` + a.ids["vic"] + ` td[data-label="Last sign-in"]`).Text(); got != "Never" {
		t.Errorf("vic's last sign-in %q, want Never", got)
	}
	if got := doc.Find(`#user-` + a.ids["vic"] + ` td[data-label="Status"]`).Text(); got != "Active" {
		t.Errorf("vic's status %q", got)
	}

	// A search by user name pages too, and the pager keeps the search.
	doc = mustDoc(t, a.admin.get("/admin/users?q=OPS", nil).Body)
	if got := doc.Find(`[data-testid="user-count"]`).Text(); got != "55 users match “OPS”" {
		t.Errorf("count %q", got)
	}
	if href, _ := doc.Find(`.pager a[rel="next"]`).Attr("href"); href != "/admin/users?page=2&q=OPS" {
		t.Errorf("next page link %q", href)
	}
	if v, _ := doc.Find("#user-search").Attr("value"); v != "OPS" {
		t.Errorf("search box %q", v)
	}
	doc = mustDoc(t, a.admin.get("/admin/users?q=OPS&page=2", nil).Body)
	if n := doc.Find("#user-table tbody tr").Length(); n != 5 {
		t.Errorf("%d rows on page 2 of the search, want 5", n)
	}

	// By display name, escaped.
	r = a.admin.get("/admin/users?q=doe", nil)
	doc = mustDoc(t, r.Body)
	if n := doc.Find("#user-table tbody tr").Length(); n != 1 || !strings.Contains(r.Body, "Jane &lt;b&gt;Doe&lt;/b&gt;") {
		t.Errorf("%d rows for doe:\n%s", n, doc.Find("#user-table").Text())
	}
	if doc.Find(".pager").Length() != 0 {
		t.Error("a pager for one page")
	}
	doc = mustDoc(t, a.admin.get("/admin/users?q=nobody-at-all", nil).Body)
	if got := doc.Find(".empty").Text(); got != "No users match this search." {
		t.Errorf("empty search: %q", got)
	}

	// A search with a NUL byte is a clear 400.
	r = a.admin.get("/admin/users?q=a%00b", nil)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "without NUL bytes") {
		t.Errorf("NUL search: %d %.300s", r.StatusCode, r.Body)
	}

	// The API searches the same way.
	tok := a.p.token(t, "admin")
	r = a.admin.api(http.MethodGet, "/api/v1/admin/users?q=ops&per_page=10&page=6", tok, nil)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"total":55`) || !strings.Contains(r.Body, `"username":"ops50"`) ||
		!strings.Contains(r.Body, `"last_login_at":null`) {
		t.Errorf("API search: %d %.300s", r.StatusCode, r.Body)
	}
}

func TestAdminRoleChangeConfirm(t *testing.T) {
	a := newAdminPortal(t)
	rita := a.ids["rita"]
	csrf := a.admin.csrf()

	// The role form asks first: the page's form is a GET to the confirmation.
	doc := mustDoc(t, a.admin.get("/admin/users", nil).Body)
	form := doc.Find("#user-" + rita + " form.role-form")
	if m, _ := form.Attr("method"); m != "get" {
		t.Errorf("role form method %q", m)
	}
	if act, _ := form.Attr("action"); act != "/admin/users/"+rita+"/role" {
		t.Errorf("role form action %q", act)
	}

	// A role posted without the confirmation is sent to it, and nothing changes.
	r := a.admin.postForm("/admin/users/"+rita, url.Values{"role": {"admin"}, "_csrf": {csrf}}, nil)
	confirmURL := "/admin/users/" + rita + "/role?role=admin"
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != confirmURL {
		t.Fatalf("unconfirmed change: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if u := a.user(t, "rita"); u.Role != domain.RoleResponder {
		t.Fatalf("an unconfirmed change made rita %s", u.Role)
	}

	// The confirmation asks in words, with Confirm and Cancel, and works without JavaScript.
	r = a.admin.get(confirmURL, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("confirmation page: %d", r.StatusCode)
	}
	doc = mustDoc(t, r.Body)
	if got := doc.Find("#role-confirm-heading").Text(); got != "Make rita an admin?" {
		t.Errorf("question %q", got)
	}
	cf := doc.Find(`[data-testid="role-confirm"] form`)
	if act, _ := cf.Attr("action"); act != "/admin/users/"+rita {
		t.Errorf("confirm form action %q", act)
	}
	for name, want := range map[string]string{"role": "admin", "confirm": "yes", "_csrf": csrf} {
		if v, _ := cf.Find(`input[name="` + name + `"]`).Attr("value"); v != want {
			t.Errorf("confirm form %s=%q, want %q", name, v, want)
		}
	}
	if href, _ := doc.Find("#role-cancel").Attr("href"); href != "/admin/users" {
		t.Errorf("cancel goes to %q", href)
	}
	if cf.Find("[hx-post], [hx-get]").Length() != 0 {
		t.Error("the confirmation needs htmx")
	}

	// Confirmed without the CSRF token: refused, nothing changes.
	r = a.admin.postForm("/admin/users/"+rita, url.Values{"role": {"admin"}, "confirm": {"yes"}}, nil)
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", r.StatusCode)
	}
	if u := a.user(t, "rita"); u.Role != domain.RoleResponder {
		t.Fatalf("a change without CSRF made rita %s", u.Role)
	}

	// Confirmed: applied and audited.
	r = a.admin.postForm("/admin/users/"+rita, url.Values{"role": {"admin"}, "confirm": {"yes"}, "_csrf": {csrf}}, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/users" {
		t.Fatalf("confirmed change: %d %q %.300s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	if u := a.user(t, "rita"); u.Role != domain.RoleAdmin {
		t.Fatalf("rita is %s, want admin", u.Role)
	}
	if got := a.admin.get("/admin/users", nil).Body; !strings.Contains(got, "rita is now admin.") {
		t.Error("no flash message after the change")
	}
	doc = mustDoc(t, a.admin.get("/admin/audit?action=user.update", nil).Body)
	wantCardCells(t, doc)
	sentence := doc.Find("td.audit-sentence").First()
	if got := sentence.Text(); got != "admin changed the role of rita from Responder to Admin" {
		t.Errorf("audit sentence %q", got)
	}
	if href, _ := sentence.Find("a").Attr("href"); href != "/admin/users?q=rita#user-"+rita {
		t.Errorf("user link %q", href)
	}

	// Bad roles and the same role do not get a confirmation.
	if r := a.admin.get("/admin/users/"+rita+"/role?role=root", nil); r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("role=root: %d", r.StatusCode)
	}
	if r := a.admin.get("/admin/users/"+rita+"/role?role=admin", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("same role: %d", r.StatusCode)
	}
	if r := a.admin.get("/admin/users/0190a000-0000-7000-8000-000000000000/role?role=admin", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("no such user: %d", r.StatusCode)
	}
}

func TestAdminLastAdminRefused(t *testing.T) {
	a := newAdminPortal(t)
	me := a.ids["admin"]
	csrf := a.admin.csrf()
	const msg = "is the last active admin and cannot be"

	// The page: demoting or disabling oneself, the last admin, is a 409 with the reason, in the row.
	for _, form := range []url.Values{
		{"role": {"viewer"}, "confirm": {"yes"}, "_csrf": {csrf}},
		{"disabled": {"true"}, "_csrf": {csrf}},
	} {
		r := a.admin.postForm("/admin/users/"+me, form, nil)
		if r.StatusCode != http.StatusConflict {
			t.Fatalf("%v: %d %.300s", form, r.StatusCode, r.Body)
		}
		doc := mustDoc(t, r.Body)
		if got := doc.Find("#user-" + me + ` [data-testid="row-error"]`).Text(); !strings.Contains(got, msg) {
			t.Errorf("%v: row error %q", form, got)
		}
	}
	// htmx gets the row alone.
	r := a.admin.postForm("/admin/users/"+me, url.Values{"role": {"viewer"}, "confirm": {"yes"}}, http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {csrf}})
	if r.StatusCode != http.StatusConflict || strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, msg) {
		t.Errorf("htmx: %d %.300s", r.StatusCode, r.Body)
	}

	// The API: 409 conflict in the API's error shape.
	tok := a.p.token(t, "admin")
	for _, body := range []map[string]any{{"role": "responder"}, {"disabled": true}} {
		r := a.admin.api(http.MethodPatch, "/api/v1/admin/users/"+me, tok, body)
		if r.StatusCode != http.StatusConflict || apiErrorCode(t, r) != domain.ECONFLICT || !strings.Contains(r.Body, msg) {
			t.Errorf("API %v: %d %.300s", body, r.StatusCode, r.Body)
		}
	}
	if u := a.user(t, "admin"); u.Role != domain.RoleAdmin || u.Disabled {
		t.Fatalf("the last admin became %+v", u)
	}

	// With a second admin (made through the API), the first may step down.
	r = a.admin.api(http.MethodPatch, "/api/v1/admin/users/"+a.ids["rita"], tok, map[string]any{"role": "admin"})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"role":"admin"`) {
		t.Fatalf("API promotion: %d %.300s", r.StatusCode, r.Body)
	}
	r = a.admin.api(http.MethodPatch, "/api/v1/admin/users/"+me, tok, map[string]any{"role": "responder"})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("API demotion with another admin: %d %.300s", r.StatusCode, r.Body)
	}
	r = a.admin.api(http.MethodPatch, "/api/v1/admin/users/"+me, tok, map[string]any{"role": "root"})
	if r.StatusCode < 400 || r.StatusCode >= 500 {
		t.Errorf("role root: %d", r.StatusCode)
	}
}

func TestAdminRoutesForbidden(t *testing.T) {
	a := newAdminPortal(t)
	for _, name := range []string{"rita", "vic"} {
		c := a.p.login(t, name)
		csrf := c.csrf()
		tok := a.p.token(t, name)
		for _, path := range []string{"/admin/users", "/admin/users?q=a", "/admin/users/" + a.ids["vic"] + "/role?role=admin",
			"/admin/audit", "/admin/audit.csv"} {
			if r := c.get(path, nil); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", name, path, r.StatusCode)
			}
		}
		r := c.postForm("/admin/users/"+a.ids[name], url.Values{"role": {"admin"}, "confirm": {"yes"}, "_csrf": {csrf}}, nil)
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("%s promotes themselves: %d", name, r.StatusCode)
		}
		for _, req := range []struct{ method, path string }{{http.MethodGet, "/api/v1/admin/users"},
			{http.MethodPatch, "/api/v1/admin/users/" + a.ids[name]}} {
			if r := c.api(req.method, req.path, tok, map[string]any{"role": "admin"}); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s %s: %d", name, req.method, req.path, r.StatusCode)
			}
		}
		if u := a.user(t, name); u.Role == domain.RoleAdmin {
			t.Fatalf("%s became an admin", name)
		}
	}
}

func TestAdminAuditHumanised(t *testing.T) {
	a := newAdminPortal(t)
	ritaCtx := domain.NewContextWithUser(context.Background(), a.user(t, "rita"))
	i, err := a.p.issues.CreateIssue(ritaCtx, domain.NewIssue{Title: "DB down"})
	if err != nil {
		t.Fatal(err)
	}
	st := domain.StatusResolved
	if _, err := a.p.issues.UpdateIssue(ritaCtx, i.ID, domain.IssueUpdate{Status: &st}); err != nil {
		t.Fatal(err)
	}

	r := a.admin.get("/admin/audit", nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("audit page: %d", r.StatusCode)
	}
	doc := mustDoc(t, r.Body)
	wantCardCells(t, doc)
	sentences := map[string]*goquery.Selection{}
	doc.Find("td.audit-sentence").Each(func(_ int, s *goquery.Selection) { sentences[s.Text()] = s })
	update := fmt.Sprintf(`rita changed the status of %s "DB down" from Open to Resolved`, i.Ref)
	for _, want := range []string{update, fmt.Sprintf(`rita opened the incident %s "DB down"`, i.Ref), "admin signed in",
		"The system (test) created the user rita as Responder"} {
		if sentences[want] == nil {
			t.Errorf("no sentence %q among %v", want, keys(sentences))
		}
	}
	if s := sentences[update]; s != nil {
		if href, _ := s.Find("a").Attr("href"); href != "/issues/"+i.ID {
			t.Errorf("incident link %q", href)
		}
		row := s.Parent()
		if row.Find("details.audit-raw").Is("[open]") || row.Find("details.audit-raw summary").Text() != "Raw JSON" ||
			!strings.Contains(row.Find("details.audit-raw code").Text(), `"status": {`) {
			t.Errorf("raw JSON toggle: %s", row.Find("details.audit-raw").Text())
		}
		if got := row.Find(`td[data-label="Time"]`).Text(); !strings.HasSuffix(got, " UTC") {
			t.Errorf("time %q has no zone", got)
		}
	}

	// Filters: free text, with the others; the pager and the export keep them.
	doc = mustDoc(t, a.admin.get("/admin/audit?q=resolved&entity_type=issue", nil).Body)
	if n := doc.Find("td.audit-sentence").Length(); n != 1 {
		t.Errorf("q=resolved: %d entries", n)
	}
	if href, _ := doc.Find(`[data-testid="audit-csv"]`).Attr("href"); href != "/admin/audit.csv?entity_type=issue&q=resolved" {
		t.Errorf("CSV link %q", href)
	}
	if v, _ := doc.Find("#audit-q").Attr("value"); v != "resolved" {
		t.Errorf("text filter shows %q", v)
	}

	// Bad input is a clear 400.
	for _, q := range []string{"q=a%00b", "from=yesterday", "to=2026-13-40", "action=x%00", "from=2026-02-01&to=2026-01-01"} {
		for _, path := range []string{"/admin/audit?", "/admin/audit.csv?", "/api/v1/audit?"} {
			r := a.admin.get(path+q, nil)
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "Invalid") {
				t.Errorf("%s%s: %d %.200s", path, q, r.StatusCode, r.Body)
			}
		}
	}
}

func keys(m map[string]*goquery.Selection) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestAdminAuditCSV(t *testing.T) {
	a := newAdminPortal(t)
	sys := domain.NewSystemContext(context.Background(), "test")
	evil, err := a.p.users.CreateUser(sys, domain.NewUser{Username: "mallory", DisplayName: `=HYPERLINK("http://x","y")`,
		Role: domain.RoleResponder, Password: portalPassword})
	if err != nil {
		t.Fatal(err)
	}
	i, err := a.p.issues.CreateIssue(domain.NewContextWithUser(context.Background(), evil),
		domain.NewIssue{Title: "Disk, \"full\" =1"})
	if err != nil {
		t.Fatal(err)
	}

	r := a.admin.get("/admin/audit.csv", nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %.300s", r.StatusCode, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="audit-log.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !strings.HasPrefix(r.Body, strings.Join(domain.AuditCSVHeader, ",")+"\r\n") {
		t.Errorf("no header row: %.200q", r.Body)
	}
	// RFC 4180: quotes doubled inside quoted fields, CRLF line ends.
	if !strings.Contains(r.Body, `"'=HYPERLINK(""http://x"",""y"")"`) {
		t.Errorf("actor cell not quoted and guarded:\n%s", r.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var create []string
	for _, row := range rows[1:] {
		if len(row) != len(domain.AuditCSVHeader) {
			t.Fatalf("row of %d cells: %q", len(row), row)
		}
		if row[4] == "issue.create" && row[6] == i.ID {
			create = row
		}
	}
	if create == nil {
		t.Fatal("no issue.create row")
	}
	if create[2] != evil.ID || create[3] != `'=HYPERLINK("http://x","y")` || create[5] != "issue" {
		t.Errorf("issue.create row %q", create)
	}
	wantSummary := `'=HYPERLINK("http://x","y") opened the incident ` + i.Ref + ` "Disk, "full" =1"`
	if create[7] != wantSummary {
		t.Errorf("summary %q, want %q", create[7], wantSummary)
	}
	if !strings.Contains(create[8], `"title":"Disk, \"full\" =1"`) {
		t.Errorf("details %q", create[8])
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("unguarded cell %q", cell)
			}
		}
	}

	// The export is audited, with its filter; a filtered export holds only what matches.
	r = a.admin.get("/admin/audit.csv?action=issue.create", nil)
	rows, err = csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][4] != "issue.create" {
		t.Errorf("filtered export: %v %q", err, rows)
	}
	doc := mustDoc(t, a.admin.get("/admin/audit?action=audit.export", nil).Body)
	if n := doc.Find("td.audit-sentence").Length(); n != 2 || doc.Find("td.audit-sentence").First().Text() != "admin exported the audit log as CSV" {
		t.Errorf("%d export entries: %q", n, doc.Find("td.audit-sentence").Text())
	}
	if !strings.Contains(doc.Find("details.audit-raw code").First().Text(), `"action": "issue.create"`) {
		t.Errorf("the export's filter is not recorded: %s", doc.Find("details.audit-raw code").First().Text())
	}
	// Nothing matches: the header row alone.
	r = a.admin.get("/admin/audit.csv?action=no.such", nil)
	if r.StatusCode != http.StatusOK || r.Body != strings.Join(domain.AuditCSVHeader, ",")+"\r\n" {
		t.Errorf("empty export: %d %q", r.StatusCode, r.Body)
	}
}
