package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tftsr/domain"
	"tftsr/views"
)

// newWhyPortal starts the portal with the triage chat (models answering with fixed tokens) and
// logs in a MinIO bucket of the test's own, with the users admin, rita (responder) and vic
// (viewer).
func newWhyPortal(t *testing.T, models domain.ChatModelFactory) *testPortal {
	t.Helper()
	return newChatLogPortal(t, models).testPortal
}

// whyLog is a log full of secrets; its lines 1 and 2 hold an e-mail address, an IP address and a
// password.
const whyLog = "2026-03-01T09:00:00Z INFO login ok user=grace.hopper@example.com from 198.51.100.23\n" +
	"2026-03-01T09:00:01Z WARN pool exhausted, retry password=S3cr3t!pass\n" +
	"2026-03-01T09:00:02Z INFO done\n"

func TestWhyProposalsAndCitedLines(t *testing.T) {
	models := &tokenModels{tokens: []string{
		"The pool ran dry.\n\n- **Proposed Why 1:** Checkout timed out (evidence: app.log:1-2)\n",
		"- Proposed Why 2: The <b>pool</b> was exhausted (evidence: app.log:2, db.log:77)\n",
		"- Proposed Why 4: Out of order (evidence: app.log:3)\n",
	}}
	p := newWhyPortal(t, models)
	admin, rita, vic := p.login(t, "admin"), p.login(t, "rita"), p.login(t, "vic")
	if r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/local", map[string]any{"kind": "ollama", "model": "llama3"}); r.StatusCode != http.StatusCreated {
		t.Fatalf("config: %d %s", r.StatusCode, r.Body)
	}
	r := rita.apiJSON(http.MethodPost, "/api/v1/issues", map[string]any{"title": "Checkout down"})
	var issue struct{ ID string }
	if json.Unmarshal([]byte(r.Body), &issue); r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	l := decodeLog(t, upload(t, rita, issue.ID, logFile{"app.log", []byte(whyLog)}))
	r = rita.apiJSON(http.MethodPost, "/api/v1/issues/"+issue.ID+"/chat", map[string]any{"message": "what happened?"})
	var chat struct {
		Reply       struct{ ID, Status string }
		UserMessage struct{ ID string } `json:"user_message"`
	}
	if json.Unmarshal([]byte(r.Body), &chat); r.StatusCode != http.StatusOK || chat.Reply.Status != "complete" {
		t.Fatalf("chat: %d %s", r.StatusCode, r.Body)
	}
	reply := chat.Reply.ID
	if reply == "" || chat.UserMessage.ID == "" {
		t.Fatalf("chat answered %s", r.Body)
	}
	accept := func(n string) string { return "/chat/messages/" + reply + "/proposals/" + n + "/accept" }
	hx := func() http.Header { return http.Header{"Hx-Request": {"true"}} }
	form := func(c *client) url.Values { return url.Values{"_csrf": {c.csrf()}} }

	// The chat shows the proposals with their evidence; responders get the button, viewers not.
	page := rita.get("/issues/"+issue.ID+"/chat", nil).Body
	wantIn(t, page, `data-testid="why-proposals"`, "Checkout timed out", "evidence app.log:1-2", "The &lt;b&gt;pool&lt;/b&gt; was exhausted",
		`hx-post="`+accept("1")+`"`, `hx-post="`+accept("3")+`"`)
	wantOut(t, page, "<b>pool</b>")
	wantIn(t, vic.get("/issues/"+issue.ID+"/chat", nil).Body, "Checkout timed out")
	wantOut(t, vic.get("/issues/"+issue.ID+"/chat", nil).Body, `data-testid="proposal-accept"`)

	// Bad proposals, missing CSRF and viewers are refused.
	for _, n := range []string{"0", "4", "99", "x", "-1"} {
		if r := rita.postForm(accept(n), form(rita), hx()); r.StatusCode != http.StatusNotFound {
			t.Errorf("accept %s: %d", n, r.StatusCode)
		}
		if r := rita.apiJSON(http.MethodPost, "/api"+"/v1"+accept(n), nil); r.StatusCode != http.StatusNotFound || apiErrorCode(t, r) != domain.ENOTFOUND {
			t.Errorf("api accept %s: %d %s", n, r.StatusCode, r.Body)
		}
	}
	for _, id := range []string{"nope", "0190f0e0-0000-7000-8000-000000000000", chat.UserMessage.ID} {
		if r := rita.postForm("/chat/messages/"+id+"/proposals/1/accept", form(rita), hx()); r.StatusCode != http.StatusNotFound {
			t.Errorf("accept on message %s: %d", id, r.StatusCode)
		}
	}
	if r := rita.postForm(accept("1"), url.Values{}, hx()); r.StatusCode != http.StatusForbidden {
		t.Errorf("no CSRF: %d", r.StatusCode)
	}
	if r := vic.postForm(accept("1"), form(vic), hx()); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer accept: %d", r.StatusCode)
	}
	if r := vic.apiJSON(http.MethodPost, "/api/v1"+accept("1"), nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer api accept: %d", r.StatusCode)
	}
	// Why 4 before why 2 and 3: a conflict.
	if r := rita.postForm(accept("3"), form(rita), hx()); r.StatusCode != http.StatusConflict {
		t.Errorf("out of order: %d %s", r.StatusCode, r.Body)
	}

	// Accepting why 1: the row is marked, the 5-Whys section comes out of band with the evidence
	// linked to the cited lines.
	r = rita.postForm(accept("1"), form(rita), http.Header{"Hx-Request": {"true"}, "Hx-Current-Url": {"http://portal.test/issues/" + issue.ID + "/five-whys"}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("accept 1: %d %s", r.StatusCode, r.Body)
	}
	linesURL := "/logs/" + l.ID + "/lines?from=1&amp;to=2"
	wantIn(t, r.Body, `data-testid="proposal-accepted"`, `id="five-whys"`, `hx-swap-oob="outerHTML"`, "Why level 1 of 5",
		`href="`+linesURL+`#L1"`, `hx-get="`+linesURL+`"`, `hx-trigger="load"`)
	// Nothing else of the page: the row and, where it is shown, the 5-Whys.
	wantSwaps(t, r, http.StatusOK, swap{views.WhyProposalRowID(reply, 1), false}, swap{views.FiveWhysID, true})
	// The Timeline tab records the level's rise.
	tl := pageDoc(t, rita.get("/issues/"+issue.ID+"/timeline", nil))
	if !hasEvent(tl.Find("#"+views.TimelineEventsID), domain.EventWhyLevelAdvanced) {
		t.Errorf("timeline %v lacks the why level's rise", eventTypes(tl.Find("#"+views.TimelineEventsID)))
	}
	// A second click: a clear conflict.
	if r := rita.postForm(accept("1"), form(rita), hx()); r.StatusCode != http.StatusConflict {
		t.Errorf("repeat: %d %s", r.StatusCode, r.Body)
	}
	// Without htmx, back to the incident.
	if r := rita.postForm(accept("1"), form(rita), nil); r.StatusCode != http.StatusConflict {
		t.Errorf("repeat without htmx: %d", r.StatusCode)
	}

	// The API accepts why 2: 201 with the entry; the citation of a log the incident lacks is
	// shown as text with a note.
	var w domain.FiveWhy
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1"+accept("2"), nil, &w); r.StatusCode != http.StatusCreated || w.WhyNumber != 2 ||
		w.Evidence != "app.log:2, db.log:77" || w.Answer != "The <b>pool</b> was exhausted" {
		t.Fatalf("api accept 2: %d %s", r.StatusCode, r.Body)
	}
	page = vic.get("/issues/"+issue.ID+"/five-whys", nil).Body
	wantIn(t, page, "Why level 2 of 5", `href="/logs/`+l.ID+`/lines?from=2&amp;to=2#L2"`, "db.log:77: this incident has no log named db.log")
	wantOut(t, page, "<b>pool</b>")
	// Updating through the API gives 200: why 2's answer typed over, then accepted again.
	answer := "typed"
	if _, err := p.issues.UpdateFiveWhy(domain.NewSystemContext(context.Background(), "test"), w.ID, domain.FiveWhyUpdate{Answer: &answer}); err != nil {
		t.Fatal(err)
	}
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1"+accept("2"), nil, &w); r.StatusCode != http.StatusOK || w.Answer != "The <b>pool</b> was exhausted" {
		t.Fatalf("api accept 2 again: %d %s", r.StatusCode, r.Body)
	}

	// The cited lines: redacted text only, for viewers too.
	secrets := []string{"grace.hopper@example.com", "198.51.100.23", "S3cr3t!pass"}
	r = vic.get("/logs/"+l.ID+"/lines?from=1&to=2", hx())
	if r.StatusCode != http.StatusOK {
		t.Fatalf("lines: %d %s", r.StatusCode, r.Body)
	}
	wantIn(t, r.Body, `data-testid="cited-lines"`, "app.log:1", "app.log:2", "INFO login ok user=[Email]", "pool exhausted")
	wantOut(t, r.Body, secrets...)
	wantOut(t, r.Body, "INFO done", `id="L1"`)
	// The page has an anchor per line, and marks lines past the end.
	r = vic.get("/logs/"+l.ID+"/lines?from=2&to=5", nil)
	wantIn(t, r.Body, `id="L2"`, `id="L5"`, "beyond the end of the log", "INFO done", "<html")
	wantOut(t, r.Body, secrets...)
	var lines struct {
		LogFileID string `json:"log_file_id"`
		FileName  string `json:"file_name"`
		Lines     []struct {
			No     int    `json:"no"`
			Text   string `json:"text"`
			Absent bool   `json:"absent"`
		} `json:"lines"`
	}
	r = vic.get("/api/v1/logs/"+l.ID+"/lines?from=1&to=4", nil)
	if err := json.Unmarshal([]byte(r.Body), &lines); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("api lines: %d %s", r.StatusCode, r.Body)
	}
	if lines.LogFileID != l.ID || lines.FileName != "app.log" || len(lines.Lines) != 4 || lines.Lines[0].No != 1 ||
		!strings.HasPrefix(lines.Lines[2].Text, "2026-03-01T09:00:02Z INFO done") || !lines.Lines[3].Absent || lines.Lines[2].Absent {
		t.Errorf("api lines = %+v", lines)
	}
	wantOut(t, r.Body, secrets...)

	// Bad ranges: 400 with a message.
	for _, q := range []string{"", "from=0&to=3", "from=5&to=4", "from=x", "from=1&to=y", "from=1&to=201", "from=-3&to=2", "from=99999999999999999999"} {
		if r := vic.get("/api/v1/logs/"+l.ID+"/lines?"+q, nil); r.StatusCode != http.StatusBadRequest || apiErrorCode(t, r) != domain.EINVALID {
			t.Errorf("api lines?%s: %d %s", q, r.StatusCode, r.Body)
		}
		if r := vic.get("/logs/"+l.ID+"/lines?"+q, hx()); r.StatusCode != http.StatusBadRequest {
			t.Errorf("lines?%s: %d", q, r.StatusCode)
		}
	}
	// 200 lines is the most.
	if r := vic.get("/api/v1/logs/"+l.ID+"/lines?from=1&to=200", nil); r.StatusCode != http.StatusOK {
		t.Errorf("200 lines: %d", r.StatusCode)
	}
	if r := vic.get("/api/v1/logs/"+"0190f0e0-0000-7000-8000-000000000000"+"/lines?from=1&to=2", nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown log: %d", r.StatusCode)
	}
	// Signed out: no lines.
	if r := p.anonymous(t).get("/api/v1/logs/"+l.ID+"/lines?from=1&to=2", nil); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
}
