package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"tftsr/ai"
	"tftsr/ai/aitest"
	"tftsr/domain"
)

// recordingOpenAI is a fake OpenAI-compatible server on loopback: it records every request
// body and answers /v1/chat/completions with an SSE stream that answer writes (the n-th request
// counts from 1), ended by "data: [DONE]".
type recordingOpenAI struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
}

func newScriptedOpenAI(t *testing.T, answer func(w http.ResponseWriter, n int)) *recordingOpenAI {
	t.Helper()
	f := &recordingOpenAI{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies = append(f.bodies, body)
		n := len(f.bodies)
		f.mu.Unlock()
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		answer(w, n)
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// newRecordingOpenAI answers every request with the same reply, a chunk a token.
func newRecordingOpenAI(t *testing.T, reply ...string) *recordingOpenAI {
	t.Helper()
	return newScriptedOpenAI(t, func(w http.ResponseWriter, _ int) {
		for i, tok := range reply {
			delta := map[string]any{"role": "assistant", "content": tok}
			var finish any
			if i == len(reply)-1 {
				delta, finish = map[string]any{"content": tok}, "stop"
			}
			chunk(w, delta, finish)
		}
	})
}

// requests returns the recorded request bodies.
func (f *recordingOpenAI) requests() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.bodies)
}

// analysisPortal is the portal over a real database and MinIO, with the real AI adapters
// pointed at a recording fake OpenAI-compatible server, and the users of newTestPortal.
type analysisPortal struct {
	*logPortal
	fake *recordingOpenAI
}

func newAnalysisPortal(t *testing.T, reply ...string) *analysisPortal {
	t.Helper()
	return &analysisPortal{logPortal: newChatLogPortal(t, ai.NewFactory(nil)), fake: newRecordingOpenAI(t, reply...)}
}

// analysisSecrets are the secret values of secretAppLog; none may leave the portal.
var analysisSecrets = []string{
	"grace.hopper@example.com", "ops-oncall@example.org", "Hunter2Secret!", "S3cr3t!pass", "AKIAIOSFODNN7EXAMPLE",
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk",
	"sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
}

// secretAppLog is a log of n lines full of secrets around a database failure and a stack
// trace, with some markup.
func secretAppLog(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		ts := fmt.Sprintf("2026-11-28T07:%02d:%02dZ", i/60%60, i%60)
		switch {
		case i == 120:
			fmt.Fprintf(&b, "%s ERROR db pool exhausted for grace.hopper@example.com password=Hunter2Secret! <b>bold</b>\n", ts)
		case i == 121:
			b.WriteString("java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available\n")
		case i == 122:
			b.WriteString("\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:696)\n")
		case i == 123:
			b.WriteString("\tat com.acme.orders.Repo.save(Repo.java:42)\n")
		case i%40 == 0:
			fmt.Fprintf(&b, "%s WARN aws_access_key_id=AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY retrying\n", ts)
		case i%25 == 0:
			fmt.Fprintf(&b, "%s INFO auth header Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk\n", ts)
		case i%33 == 0:
			fmt.Fprintf(&b, "%s INFO login user=ops-oncall@example.org password=S3cr3t!pass api_key=sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c\n", ts)
		default:
			fmt.Fprintf(&b, "%s INFO request %d served in %dms\n", ts, i, i*7%900)
		}
	}
	return b.String()
}

// assertNoSecret fails when s holds a secret of secretAppLog.
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, v := range analysisSecrets {
		if strings.Contains(s, v) {
			t.Errorf("%s holds the secret %q", what, v)
		}
	}
}

func TestAnalyzeLogs(t *testing.T) {
	p := newAnalysisPortal(t, "Summary: the pool ran dry.\n", "Proposed Why 1: the pool is too small (evidence: app.log:120–123)")
	admin, rita, vic := p.login(t, "admin"), p.login(t, "rita"), p.login(t, "vic")
	if r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/fake", map[string]any{
		"kind": "openai", "base_url": p.fake.srv.URL + "/v1", "model": "gpt-test", "api_key": "sk-test-key-0123456789",
	}); r.StatusCode != http.StatusCreated {
		t.Fatalf("config: %d %s", r.StatusCode, r.Body)
	}
	issueID := p.newIssue(t, rita, "Orders fail")
	otherID := p.newIssue(t, rita, "Another incident")
	appText := secretAppLog(300)
	app := decodeLog(t, upload(t, rita, issueID, logFile{"app.log", []byte(appText)}))
	other := decodeLog(t, upload(t, rita, otherID, logFile{"other.log", []byte("2026-11-28T07:00:00Z ERROR elsewhere\n")}))

	// The incident page offers the analysis to a responder, with the log checked.
	page := rita.get("/issues/"+issueID+"/logs", nil).Body
	if !strings.Contains(page, `data-testid="analyze-form"`) || !regexp.MustCompile(`value="`+app.ID+`"[^>]*checked`).MatchString(page) ||
		!strings.Contains(page, "Analyze with AI") {
		t.Fatalf("no analyze form on the incident page")
	}
	if page := vic.get("/issues/"+issueID, nil).Body; strings.Contains(page, `data-testid="analyze-form"`) {
		t.Errorf("a viewer sees the analyze form")
	}

	// The JSON API.
	var res struct {
		ConversationID string                      `json:"conversation_id"`
		UserMessage    *domain.ConversationMessage `json:"user_message"`
		Reply          *domain.ConversationMessage `json:"reply"`
		LogFileIDs     []string                    `json:"log_file_ids"`
		PIIRedacted    bool                        `json:"pii_redacted"`
		PIITypes       []string                    `json:"pii_types"`
		BytesSent      int                         `json:"bytes_sent"`
		domain.AnalysisFindings
	}
	r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues/"+issueID+"/analyze", map[string]any{"log_file_ids": []string{app.ID}}, &res)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("analyze: %d %s", r.StatusCode, r.Body)
	}
	assertNoSecret(t, "the API answer", r.Body)
	u := res.UserMessage
	if res.ConversationID == "" || u == nil || u.Kind != domain.MessageKindAnalysis || !slices.Equal(res.LogFileIDs, []string{app.ID}) ||
		!slices.Equal(u.LogFileNames, []string{"app.log"}) || !res.PIIRedacted || res.BytesSent != len(u.Content) ||
		res.Reply.Status != domain.MessageComplete || !strings.HasPrefix(res.Reply.Content, "Summary: the pool ran dry.") {
		t.Fatalf("answer = %s", r.Body)
	}
	// The reply's sections, as the seed's AnalysisResult has them.
	if res.Summary != "the pool ran dry." || res.SuggestedWhy1 != "the pool is too small" || res.KeyFindings == nil {
		t.Errorf("findings = %+v", res.AnalysisFindings)
	}
	for _, typ := range []string{"Email", "Password", "AWSAccessKey"} {
		if !slices.Contains(res.PIITypes, typ) {
			t.Errorf("pii types %v lack %s", res.PIITypes, typ)
		}
	}

	// What the provider got: one system message first, the analysis prompt last, no secret.
	reqs := p.fake.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, body := range reqs {
		assertNoSecret(t, "a request to the provider", string(body))
	}
	wire, err := aitest.ParseOpenAIBody(reqs[0])
	if err != nil {
		t.Fatal(err)
	}
	systems := 0
	for _, m := range wire.Messages {
		if m.Role == "system" {
			systems++
		}
	}
	if systems != 1 || wire.Messages[0].Role != "system" || !strings.Contains(wire.Messages[0].Content, "### app.log") {
		t.Fatalf("messages = %+v", wire.Messages)
	}
	last := wire.Messages[len(wire.Messages)-1]
	if last.Role != "user" || last.Content != u.Content || !strings.Contains(last.Content, "Log digest:") ||
		!regexp.MustCompile(`(?m)^app\.log:120: .*ERROR db pool exhausted for \[Email\] password=\[Password\]`).MatchString(last.Content) ||
		!regexp.MustCompile(`(?m)^app\.log:121: java\.sql\.SQLTransientConnectionException`).MatchString(last.Content) {
		t.Fatalf("analysis prompt:\n%s", last.Content)
	}
	// The audit records the hash of exactly what was sent.
	wantHash, wantBytes := domain.HashChatRequest(wire.Request())
	var gotHash string
	var gotBytes int
	if err := p.db.Pool.QueryRow(context.Background(), `SELECT details->>'sent_sha256', (details->>'bytes_sent')::int FROM audit_log
		WHERE action = 'ai.chat' AND entity_id = $1`, res.Reply.ID).Scan(&gotHash, &gotBytes); err != nil {
		t.Fatal(err)
	}
	if gotHash != wantHash || gotBytes != wantBytes {
		t.Errorf("audit sent %s (%d bytes), the provider got %s (%d bytes)", gotHash, gotBytes, wantHash, wantBytes)
	}
	var analysisAudit string
	if err := p.db.Pool.QueryRow(context.Background(), `SELECT details::text FROM audit_log WHERE action = 'chat.analysis' AND entity_id = $1`,
		u.ID).Scan(&analysisAudit); err != nil || !strings.Contains(analysisAudit, app.ID) {
		t.Errorf("analysis audit = %q, %v", analysisAudit, err)
	}
	assertNoSecret(t, "the audit", analysisAudit)

	// The same, streamed: token events, then done with the JSON answer.
	h := http.Header{"X-Csrf-Token": {rita.csrf()}, "Content-Type": {"application/json"}, "Accept": {"text/event-stream"}}
	r = rita.do(http.MethodPost, "/api/v1/issues/"+issueID+"/analyze", strings.NewReader(`{"log_file_ids":["`+app.ID+`"],"config":"fake"}`), h)
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", r.StatusCode, r.Body)
	}
	events := readEvents(t, r.Body)
	if len(events) != 3 || events[0].name != "token" || events[0].data[0] != `"Summary: the pool ran dry.\n"` || events[2].name != "done" {
		t.Fatalf("events = %+v", events)
	}
	var done struct {
		UserMessage struct{ Kind string } `json:"user_message"`
		Reply       struct{ Content string }
		BytesSent   int `json:"bytes_sent"`
	}
	if err := json.Unmarshal([]byte(strings.Join(events[2].data, "\n")), &done); err != nil || done.UserMessage.Kind != "analysis" ||
		done.BytesSent == 0 || !strings.Contains(done.Reply.Content, "Proposed Why 1") {
		t.Errorf("done = %+v, %v", done, err)
	}
	// The follow-up request keeps the first analysis and its reply in the history.
	reqs = p.fake.requests()
	second, err := aitest.ParseOpenAIBody(reqs[len(reqs)-1])
	if err != nil || len(second.Messages) != 4 || second.Messages[1].Content != u.Content {
		t.Errorf("second request has %d messages, %v", len(second.Messages), err)
	}
	assertNoSecret(t, "the stream", r.Body)

	// The page, on the Logs tab: htmx is sent to the Chat tab (HX-Location, into the tab panel),
	// which has the chat turn with the analysis card and the reply bubble that opens the stream.
	hx := http.Header{"Hx-Request": {"true"}}
	r = rita.postForm("/issues/"+issueID+"/analyze", url.Values{"log_file_ids": {app.ID}, "config": {"fake"}, "_csrf": {rita.csrf()}}, hx)
	var loc struct{ Path, Target, Swap string }
	if err := json.Unmarshal([]byte(r.Header.Get("HX-Location")), &loc); err != nil || r.StatusCode != http.StatusNoContent ||
		loc.Path != "/issues/"+issueID+"/chat" || loc.Target != "#issue-panel" || loc.Swap != "outerHTML" {
		t.Fatalf("page analyze: %d, HX-Location %q", r.StatusCode, r.Header.Get("HX-Location"))
	}
	r = rita.get(loc.Path, hx)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `data-testid="chat-analysis"`) || !strings.Contains(r.Body, "Log analysis:") ||
		!strings.Contains(r.Body, "app.log — ") || !regexp.MustCompile(`redacted: [A-Za-z0-9, ]*Email`).MatchString(r.Body) ||
		!strings.Contains(r.Body, "&lt;b&gt;bold&lt;/b&gt;") || strings.Contains(r.Body, "<b>bold</b>") {
		t.Fatalf("page analyze: %d %s", r.StatusCode, r.Body)
	}
	assertNoSecret(t, "the chat turn", r.Body)
	// The newest reply: still streaming (its bubble opens the stream) or done; its stream ends
	// with the done event either way.
	replies := parseBody(t, r.Body).Find(`[data-testid="chat-assistant"]`)
	replyID := strings.TrimPrefix(replies.Last().AttrOr("id", ""), "msg-")
	if m := streamURL.FindStringSubmatch(r.Body); m != nil && m[1] != "/chat/messages/"+replyID+"/stream" {
		t.Errorf("the streaming bubble opens %q, want the newest reply's stream", m[1])
	}
	s := readEvents(t, rita.get("/chat/messages/"+replyID+"/stream", nil).Body)
	// The reply starts when it is asked for; the stream follows it (token events while it is written).
	if len(s) == 0 || s[len(s)-1].name != "done" || !strings.Contains(strings.Join(s[len(s)-1].data, "\n"), "Proposed Why 1") {
		t.Errorf("page stream = %+v", s)
	}
	// Without htmx, the form goes back to the chat, and the reply is produced all the same.
	r = rita.postForm("/issues/"+issueID+"/analyze", url.Values{"log_file_ids": {app.ID}, "_csrf": {rita.csrf()}}, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/issues/"+issueID+"/chat" {
		t.Errorf("plain form post: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	waitFor(t, "the reply to the plain form post", func() bool { return len(p.fake.requests()) == 4 })
	if page := rita.get("/issues/"+issueID+"/chat", nil).Body; strings.Count(page, `data-testid="chat-analysis"`) != 4 {
		t.Errorf("the incident page shows %d analysis cards, want 4", strings.Count(page, `data-testid="chat-analysis"`))
	}

	// Bad input.
	for _, tc := range []struct {
		name   string
		c      *client
		body   any
		status int
		msg    string
	}{
		{"another incident's log", rita, map[string]any{"log_file_ids": []string{app.ID, other.ID}}, http.StatusBadRequest, "other.log"},
		{"no logs", rita, map[string]any{"log_file_ids": []string{}}, http.StatusBadRequest, "at least one"},
		{"missing list", rita, map[string]any{}, http.StatusBadRequest, "at least one"},
		{"unknown id", rita, map[string]any{"log_file_ids": []string{"0190f3b2-7c1e-7a00-8000-000000000009"}}, http.StatusBadRequest, "no log"},
		{"not an id", rita, map[string]any{"log_file_ids": []string{"<script>"}}, http.StatusBadRequest, "no log"},
		{"too many", rita, map[string]any{"log_file_ids": strings.Split("a b c d e f g h i j k", " ")}, http.StatusBadRequest, "at most 10"},
		{"unknown config", rita, map[string]any{"log_file_ids": []string{app.ID}, "config": "nope"}, http.StatusUnprocessableEntity, "Choose a configured"},
		{"unknown field", rita, map[string]any{"log_file_ids": []string{app.ID}, "extra": 1}, http.StatusBadRequest, "unknown field"},
		{"viewer", vic, map[string]any{"log_file_ids": []string{app.ID}}, http.StatusForbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := apiJSON(t, tc.c, http.MethodPost, "/api/v1/issues/"+issueID+"/analyze", tc.body, nil)
			if r.StatusCode != tc.status || !strings.Contains(r.Body, tc.msg) {
				t.Errorf("%d %s", r.StatusCode, r.Body)
			}
			if strings.Contains(r.Body, "<script>") {
				t.Errorf("the answer echoes markup: %s", r.Body)
			}
		})
	}
	if r := vic.postForm("/issues/"+issueID+"/analyze", url.Values{"log_file_ids": {app.ID}, "_csrf": {vic.csrf()}}, hx); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer page analyze: %d", r.StatusCode)
	}
	if n := len(p.fake.requests()); n != 4 {
		t.Errorf("%d provider calls, want 4 (bad input calls none)", n)
	}
}

// TestReviewedLogSaysWhatIsSent: once a log is reviewed, its page parts show "Reviewed" apart
// from what the review redacted and kept, the analyze form and the chat say before sending that
// the reviewed text goes out, and it does: the kept address reaches the provider as it is.
func TestReviewedLogSaysWhatIsSent(t *testing.T) {
	p := newAnalysisPortal(t, "Summary: the balancer timed out.\n")
	admin, rita := p.login(t, "admin"), p.login(t, "rita")
	if r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/fake", map[string]any{
		"kind": "openai", "base_url": p.fake.srv.URL + "/v1", "model": "gpt-test", "api_key": "sk-test-key-0123456789",
	}); r.StatusCode != http.StatusCreated {
		t.Fatalf("config: %d %s", r.StatusCode, r.Body)
	}
	issueID := p.newIssue(t, rita, "Checkout times out")
	reviewed := decodeLog(t, upload(t, rita, issueID, logFile{"lb.log",
		[]byte("2026-11-28T07:00:01Z WARN upstream 203.0.113.77 timeout for grace.hopper@example.com\n")}))
	fresh := decodeLog(t, upload(t, rita, issueID, logFile{"db.log", []byte("2026-11-28T07:00:02Z ERROR from 198.51.100.9\n")}))

	// Before the review: to review, and the page says every detected value is replaced.
	doc := parseBody(t, rita.get("/issues/"+issueID+"/logs", nil).Body)
	chatDoc := func() *goquery.Document { return parseBody(t, rita.get("/issues/"+issueID+"/chat", nil).Body) }
	if got := text(doc.Find(`#log-list [data-testid=log-status]`).First()); got != "To review" {
		t.Errorf("state before the review %q", got)
	}

	var spans struct {
		Spans []domain.PIISpan `json:"spans"`
	}
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1/logs/"+reviewed.ID+"/pii/detect", nil, &spans); r.StatusCode != http.StatusOK {
		t.Fatalf("detect: %d %s", r.StatusCode, r.Body)
	}
	var redact []string
	for _, sp := range spans.Spans {
		if sp.PIIType != "IPv4" {
			redact = append(redact, sp.ID)
		}
	}
	if len(redact) != 1 || len(spans.Spans) != 2 {
		t.Fatalf("spans %+v", spans.Spans)
	}
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1/logs/"+reviewed.ID+"/redactions", map[string]any{"approved_span_ids": redact}, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("apply: %d %s", r.StatusCode, r.Body)
	}
	var got domain.LogFile
	if r := apiJSON(t, rita, http.MethodGet, "/api/v1/logs/"+reviewed.ID, nil, &got); r.StatusCode != http.StatusOK ||
		!got.Redacted || got.RedactedCount != 1 || got.KeptCount != 1 {
		t.Errorf("log answered %d: %+v", r.StatusCode, got)
	}

	doc = parseBody(t, rita.get("/issues/"+issueID+"/logs", nil).Body)
	row := doc.Find(`#log-list tr`).FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), "lb.log") })
	if text(row.Find("[data-testid=log-reviewed]")) != "Reviewed" || text(row.Find("[data-testid=log-redacted]")) != "1 redacted" ||
		text(row.Find("[data-testid=log-kept]")) != "1 kept" {
		t.Errorf("reviewed row states: %q", text(row.Find("[data-testid=log-status]")))
	}
	sent := map[string]string{}
	doc.Find(`#analyze-form label`).Each(func(_ int, s *goquery.Selection) {
		sent[s.Find("input").AttrOr("value", "")] = text(s.Find("[data-testid=analyze-log-sent]"))
	})
	if sent[reviewed.ID] != "(reviewed text: 1 value redacted, 1 kept as they are)" ||
		sent[fresh.ID] != "(not reviewed: every value the detector found is replaced)" {
		t.Errorf("analyze form says %q", sent)
	}
	if chat := text(chatDoc().Find("[data-testid=chat-sent]")); !strings.Contains(chat, "lb.log: reviewed text: 1 value redacted, 1 kept as they are") ||
		!strings.Contains(chat, "db.log: not reviewed") {
		t.Errorf("chat says %q", chat)
	}
	review := parseBody(t, rita.get("/logs/"+reviewed.ID, nil).Body)
	if n := text(review.Find("[data-testid=redacted-notice]")); !strings.HasPrefix(n, "Reviewed: 1 value was redacted and 1 value was kept as not sensitive.") {
		t.Errorf("review page notice %q", n)
	}

	// And it is so: the analysis sends the kept address, not the redacted e-mail address, nor
	// the unreviewed log's address.
	if r := apiJSON(t, rita, http.MethodPost, "/api/v1/issues/"+issueID+"/analyze",
		map[string]any{"log_file_ids": []string{reviewed.ID, fresh.ID}, "config": "fake"}, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("analyze: %d %s", r.StatusCode, r.Body)
	}
	reqs := p.fake.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	if body := string(reqs[0]); !strings.Contains(body, "upstream 203.0.113.77 timeout for [Email]") ||
		strings.Contains(body, "grace.hopper") || strings.Contains(body, "198.51.100.9") {
		t.Errorf("the provider got:\n%s", body)
	}
}

// parseBody parses an HTML body.
func parseBody(tb testing.TB, body string) *goquery.Document {
	tb.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}
