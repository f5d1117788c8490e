package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"tftsr/domain"
)

// TestLogDigest uploads a log with repeated lines and errors, and reads its template digest
// as the page's fragment and as JSON: errors first with their counts, values redacted.
func TestLogDigest(t *testing.T) {
	p := newLogPortal(t, domain.LogLimits{}, "")
	rita := p.login(t, "rita")
	issueID := p.newIssue(t, rita, "Checkout errors")
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, "2026-11-28T07:00:%02dZ INFO order %d paid by user%d@example.com in %dms\n", i, 1000+i, i, 10+i)
	}
	for i := range 3 {
		fmt.Fprintf(&b, "2026-11-28T07:01:%02dZ ERROR payment gateway 203.0.113.%d refused order %d\n", i, 7+i, 2000+i)
	}
	b.WriteString("2026-11-28T07:02:00Z WARN queue depth 812\n")
	l := decodeLog(t, upload(t, rita, issueID, logFile{"shop.log", []byte(b.String())}))

	page := rita.get("/logs/"+l.ID, nil)
	wantIn(t, page.Body, `hx-get="/logs/`+l.ID+`/digest"`, `hx-trigger="load"`, "Template digest")

	frag := rita.get("/logs/"+l.ID+"/digest", http.Header{"HX-Request": {"true"}})
	if frag.StatusCode != http.StatusOK || strings.Contains(frag.Body, "<html") {
		t.Fatalf("digest fragment: %d %.300s", frag.StatusCode, frag.Body)
	}
	body := html.UnescapeString(frag.Body)
	wantIn(t, body, `data-testid="digest-table"`, "ERROR payment gateway [IPv4] refused order <NUM>",
		"INFO order <NUM> paid by", "[Email]", "24 lines in 3 templates")
	wantOut(t, body, "user0@example.com", "203.0.113.7")
	rows := strings.Split(body, `data-testid="digest-row"`)
	if len(rows) != 4 || !strings.Contains(rows[1], `data-level="error"`) || !strings.Contains(rows[1], `<td data-label="Count" class="num" data-testid="digest-count">3</td>`) ||
		!strings.Contains(rows[2], `data-level="warn"`) || !strings.Contains(rows[3], ">20</td>") {
		t.Fatalf("digest rows out of order:\n%s", body)
	}
	if !strings.Contains(rows[1], "2026-11-28 07:01:00Z") || !strings.Contains(rows[1], "2026-11-28 07:01:02Z") {
		t.Errorf("error row without first and last seen:\n%s", rows[1])
	}

	var d struct {
		LogFileID string `json:"log_file_id"`
		Lines     int    `json:"lines"`
		Templates []struct {
			Template string `json:"template"`
			Level    string `json:"level"`
			Count    int    `json:"count"`
			Example  string `json:"example"`
		} `json:"templates"`
	}
	if r := apiJSON(t, rita, http.MethodGet, "/api/v1/logs/"+l.ID+"/digest", nil, &d); r.StatusCode != http.StatusOK {
		t.Fatalf("digest API: %d %s", r.StatusCode, r.Body)
	}
	if d.LogFileID != l.ID || d.Lines != 24 || len(d.Templates) != 3 || d.Templates[0].Level != "error" || d.Templates[0].Count != 3 ||
		!strings.Contains(d.Templates[2].Example, "[Email]") || strings.Contains(d.Templates[2].Example, "@example.com") {
		t.Fatalf("digest API: %+v", d)
	}
	if r := rita.get("/api/v1/logs/nope/digest", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("digest of a missing log: %d", r.StatusCode)
	}
}
