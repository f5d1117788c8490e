package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"tftsr/domain"
)

// valueReviewLog is a log of several review pages: 10.0.0.5 on every line, 60 distinct
// addresses, a documentation address now and then, and a password whose value is markup.
func valueReviewLog(lines int) string {
	var b strings.Builder
	for i := range lines {
		fmt.Fprintf(&b, "2026-03-01T09:%02d:%02dZ INFO request from 10.0.0.5 user=user%02d@example.com ok\n", i/60%60, i%60, i%60)
		if i%50 == 7 {
			b.WriteString("2026-03-01T09:00:00Z WARN <script>alert(1)</script> peer 198.51.100.23\n")
		}
	}
	b.WriteString("2026-03-01T10:00:00Z WARN login password: \"a<b>c&d\" rejected\n")
	return b.String()
}

// parseDoc parses an HTML answer.
func parseDoc(t *testing.T, r *response) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// valueRow finds the value list's row of value in doc.
func valueRow(t *testing.T, doc *goquery.Document, value string) *goquery.Selection {
	t.Helper()
	row := doc.Find(`[data-testid=value-row]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find(`[data-testid=value-text]`).Text() == value
	})
	if row.Length() != 1 {
		t.Fatalf("%d rows for %q in the value list", row.Length(), value)
	}
	return row
}

// applyCounts reads the apply bar's counts.
func applyCounts(t *testing.T, doc *goquery.Document) string {
	t.Helper()
	bar := doc.Find(`[data-testid=apply-bar]`)
	if bar.Length() != 1 {
		t.Fatal("no apply bar")
	}
	return bar.Find(`[data-testid=count-redact]`).Text() + "/" + bar.Find(`[data-testid=count-kept]`).Text() + "/" +
		bar.Find(`[data-testid=count-undecided]`).Text()
}

// TestReviewByValue reviews a multi-page log in the value list: one value kept everywhere, a
// type redacted, the counts, the filters, the pager, Apply and the next log to review.
func TestReviewByValue(t *testing.T) {
	p := newLogPortal(t, domain.LogLimits{}, "")
	rita := p.login(t, "rita")
	issueID := p.newIssue(t, rita, "Login storm")
	otherID := p.newIssue(t, rita, "Disk full")
	text := valueReviewLog(3000)
	if len(text) < 3*domain.LogPageBytes {
		t.Fatalf("the log is %d bytes, not several pages", len(text))
	}
	l := decodeLog(t, upload(t, rita, issueID, logFile{"auth.log", []byte(text)}))
	other := decodeLog(t, upload(t, rita, otherID, logFile{"disk.log", []byte("disk full on host 10.1.2.3\n")}))
	later := decodeLog(t, upload(t, rita, issueID, logFile{"later.log", []byte("retry from 10.9.9.9\n")}))
	ctx := context.Background()

	// The value list is the default: types by their names, each value once with its count.
	r := rita.get("/logs/"+l.ID, nil)
	if r.StatusCode != 200 {
		t.Fatalf("review page: %d", r.StatusCode)
	}
	doc := parseDoc(t, r)
	if got := doc.Find(`[data-testid=value-group][data-pii-type=IPv4] h2`).Text(); got != "IPv4 address" {
		t.Errorf("IPv4 group named %q", got)
	}
	ip := valueRow(t, doc, "10.0.0.5")
	if got := ip.Find(`[data-testid=value-count]`).Text(); got != "× 3,000" {
		t.Errorf("10.0.0.5 counted %q", got)
	}
	if sn := ip.Find(`.value-snippet`); sn.Length() != 2 || !strings.Contains(sn.First().Text(), "INFO request from 10.0.0.5 user=user00@example.com") ||
		sn.First().Find("mark").Text() != "10.0.0.5" {
		t.Errorf("snippets %d %q", sn.Length(), sn.First().Text())
	}
	if got := applyCounts(t, doc); got != "0/0/6,061" {
		t.Errorf("counts before review %s", got)
	}
	if doc.Find(`[data-testid=value-next]`).Length() != 1 {
		t.Error("the value list of 60+ values has no next page")
	}

	// Markup in a value and around it is text.
	wantIn(t, r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	wantOut(t, r.Body, "<script>alert(1)")
	pw := rita.get("/logs/"+l.ID+"?type=Password", nil)
	wantIn(t, pw.Body, "a&lt;b&gt;c&amp;d")
	wantOut(t, pw.Body, "a<b>c")
	valueRow(t, parseDoc(t, pw), "a<b>c&d")

	// Keep 10.0.0.5: every occurrence, on every page of the text.
	key, _ := ip.Attr("data-value-key")
	hx := http.Header{"HX-Request": {"true"}}
	r = rita.postForm("/logs/"+l.ID+"/values/"+key, formValues("approved", "false", "_csrf", rita.csrf()), hx)
	if r.StatusCode != 200 || strings.Contains(r.Body, "<html") {
		t.Fatalf("keep by value: %d %.300s", r.StatusCode, r.Body)
	}
	doc = parseDoc(t, r)
	if got := valueRow(t, doc, "10.0.0.5").Find(`[data-testid=value-status]`).Text(); got != "Keep" {
		t.Errorf("10.0.0.5 is %q after keeping it", got)
	}
	if got := applyCounts(t, doc); got != "0/3,000/3,061" {
		t.Errorf("counts after keeping 10.0.0.5: %s", got)
	}
	var kept, lastPage int64
	p.db.Pool.QueryRow(ctx, `SELECT count(*), max(start_offset) / $2 FROM pii_spans WHERE log_file_id = $1 AND NOT approved AND decided`,
		l.ID, domain.LogPageBytes).Scan(&kept, &lastPage)
	if kept != 3000 || lastPage < 3 {
		t.Errorf("%d spans kept, the last on page %d", kept, lastPage+1)
	}
	var audit string
	p.db.Pool.QueryRow(ctx, `SELECT details::text FROM audit_log WHERE action = 'log.review' ORDER BY seq DESC LIMIT 1`).Scan(&audit)
	if !strings.Contains(audit, `"changed":3000`) || !strings.Contains(audit, key) || strings.Contains(audit, "10.0.0.5") {
		t.Errorf("audit of the decision: %s", audit)
	}

	// Redact every email address: the whole type, values on later value pages too.
	r = rita.postForm("/logs/"+l.ID+"/review", formValues("pii_type", "Email", "approved", "true", "_csrf", rita.csrf()), hx)
	if r.StatusCode != 200 {
		t.Fatalf("redact the type: %d %.300s", r.StatusCode, r.Body)
	}
	if got := applyCounts(t, parseDoc(t, r)); got != "3,000/3,000/61" {
		t.Errorf("counts after redacting every email: %s", got)
	}

	// Filters: by type, by text; the pager keeps them.
	doc = parseDoc(t, rita.get("/logs/"+l.ID+"?type=Email&vpage=2", nil))
	if n := doc.Find(`[data-testid=value-row]`).Length(); n != 10 {
		t.Errorf("%d emails on the second page, want 10", n)
	}
	if got := doc.Find(`[data-testid=value-page]`).Text(); !strings.Contains(got, "Values 51–60 of 60") {
		t.Errorf("pager says %q", got)
	}
	if s := valueRow(t, doc, "user55@example.com").Find(`[data-testid=value-status]`).Text(); s != "Redact" {
		t.Errorf("user55 is %q", s)
	}
	doc = parseDoc(t, rita.get("/logs/"+l.ID+"?q="+url.QueryEscape("198.51"), nil))
	if n := doc.Find(`[data-testid=value-row]`).Length(); n != 1 {
		t.Errorf("%d values match 198.51", n)
	}
	valueRow(t, doc, "198.51.100.23")
	if r := rita.get("/logs/"+l.ID+"?type=Nope", nil); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown type filter: %d", r.StatusCode)
	}

	// The text view is a tab away and shows the decisions on every page.
	doc = parseDoc(t, rita.get("/logs/"+l.ID+"?view=text&page=3", nil))
	if doc.Find(`mark.pii-off[data-pii-type=IPv4]`).Length() == 0 || doc.Find(`mark.pii-on[data-pii-type=Email]`).Length() == 0 {
		t.Error("page 3 of the text does not show 10.0.0.5 kept and the emails redacted")
	}

	// Apply: the kept value stays, the rest is redacted, and the next log waits.
	r = rita.postForm("/logs/"+l.ID+"/apply", formValues("_csrf", rita.csrf()), hx)
	if r.StatusCode != 200 {
		t.Fatalf("apply: %d %.300s", r.StatusCode, r.Body)
	}
	doc = parseDoc(t, r)
	if href, _ := doc.Find(`[data-testid=next-unreviewed]`).Attr("href"); href != "/logs/"+later.ID {
		t.Errorf("next unreviewed log %q, want the later log of the same incident %s", href, later.ID)
	}
	content := rita.get("/api/v1/logs/"+l.ID+"/content", nil).Body
	if strings.Count(content, "10.0.0.5") != 3000 || strings.Contains(content, "@example.com") || strings.Contains(content, "198.51.100.23") {
		t.Errorf("reviewed text: %d× 10.0.0.5, emails %v", strings.Count(content, "10.0.0.5"), strings.Contains(content, "@example.com"))
	}
	rita.postForm("/logs/"+later.ID+"/apply", formValues("_csrf", rita.csrf()), nil)
	doc = parseDoc(t, rita.get("/logs/"+later.ID, nil))
	if href, _ := doc.Find(`[data-testid=next-unreviewed]`).Attr("href"); href != "/logs/"+other.ID {
		t.Errorf("next unreviewed log %q, want the other incident's %s", href, other.ID)
	}
	rita.postForm("/logs/"+other.ID+"/apply", formValues("_csrf", rita.csrf()), nil)
	doc = parseDoc(t, rita.get("/logs/"+other.ID, nil))
	if doc.Find(`[data-testid=next-unreviewed]`).Length() != 0 || doc.Find(`[data-testid=no-next-unreviewed]`).Length() != 1 {
		t.Error("a next log offered when none waits")
	}
}

// TestReviewByValueRolesAndBadInput: viewers never see the values nor decide; decisions need
// the CSRF token and a value of the log; bad input is a 4xx.
func TestReviewByValueRolesAndBadInput(t *testing.T) {
	p := newLogPortal(t, domain.LogLimits{}, "")
	rita, vic := p.login(t, "rita"), p.login(t, "vic")
	issueID := p.newIssue(t, rita, "Login storm")
	l := decodeLog(t, upload(t, rita, issueID, logFile{"auth.log", []byte(valueReviewLog(40))}))
	ip := valueRow(t, parseDoc(t, rita.get("/logs/"+l.ID, nil)), "10.0.0.5")
	key, _ := ip.Attr("data-value-key")

	page := vic.get("/logs/"+l.ID, nil)
	if page.StatusCode != 200 {
		t.Fatalf("viewer's page: %d", page.StatusCode)
	}
	wantOut(t, page.Body, "10.0.0.5", "user01@example.com", `data-testid="value-row"`, `data-testid="apply-bar"`)
	wantIn(t, page.Body, `data-testid="masked-notice"`)
	for _, path := range []string{"/logs/" + l.ID + "/values/" + key, "/logs/" + l.ID + "/review"} {
		if r := vic.postForm(path, formValues("approved", "false", "pii_type", "IPv4", "_csrf", vic.csrf()), nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d", path, r.StatusCode)
		}
	}
	if r := rita.postForm("/logs/"+l.ID+"/values/"+key, formValues("approved", "false"), nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("decision without a CSRF token: %d", r.StatusCode)
	}
	bad := map[string]struct {
		path   string
		form   url.Values
		status int
	}{
		"not a key":      {"/logs/" + l.ID + "/values/zz", formValues("approved", "false", "_csrf", rita.csrf()), http.StatusNotFound},
		"unknown key":    {"/logs/" + l.ID + "/values/" + strings.Repeat("ab", 32), formValues("approved", "false", "_csrf", rita.csrf()), http.StatusNotFound},
		"no decision":    {"/logs/" + l.ID + "/values/" + key, formValues("approved", "maybe", "_csrf", rita.csrf()), http.StatusUnprocessableEntity},
		"unknown type":   {"/logs/" + l.ID + "/review", formValues("pii_type", "<b>", "approved", "true", "_csrf", rita.csrf()), http.StatusUnprocessableEntity},
		"unknown log":    {"/logs/01900000-0000-7000-8000-000000000000/values/" + key, formValues("approved", "true", "_csrf", rita.csrf()), http.StatusNotFound},
		"bad value page": {"/logs/" + l.ID + "/values/" + key, formValues("approved", "true", "vpage", "-3", "_csrf", rita.csrf()), http.StatusSeeOther},
	}
	for name, c := range bad {
		if r := rita.postForm(c.path, c.form, nil); r.StatusCode != c.status {
			t.Errorf("%s: %d %.200s, want %d", name, r.StatusCode, r.Body, c.status)
		}
	}
	var n int
	p.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM pii_spans WHERE log_file_id = $1 AND decided`, l.ID).Scan(&n)
	if n != 40 {
		t.Errorf("%d spans decided, want the 40 of 10.0.0.5 (the last case redacts them)", n)
	}
	// A reviewed log has no value list.
	rita.postForm("/logs/"+l.ID+"/apply", formValues("_csrf", rita.csrf()), nil)
	r := rita.get("/logs/"+l.ID, nil)
	wantOut(t, r.Body, `data-testid="value-row"`, `data-testid="apply-bar"`)
	if r := rita.postForm("/logs/"+l.ID+"/values/"+key, formValues("approved", "true", "_csrf", rita.csrf()), nil); r.StatusCode != http.StatusConflict {
		t.Errorf("decision after apply: %d", r.StatusCode)
	}
}
