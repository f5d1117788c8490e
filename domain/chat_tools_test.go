package domain_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"tftsr/domain"
)

// toolLogs is memLogs with the incident's logs listed, as the chat's tools need.
type toolLogs struct{ *memLogs }

func (l toolLogs) FindLogs(ctx context.Context, f domain.LogFilter) ([]*domain.LogFile, int, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []*domain.LogFile{}
	for _, lf := range l.logs {
		if lf.IssueID == f.IssueID {
			cp := *lf
			out = append(out, &cp)
		}
	}
	return out, len(out), nil
}

// scriptModel answers each request with the next step of a script: tokens, then tool calls.
// Past the end of the script it repeats the last step.
type scriptModel struct {
	mu    sync.Mutex
	steps []scriptStep
	reqs  []domain.ChatRequest
}

type scriptStep struct {
	tokens []string
	calls  []domain.ToolCall
}

func (m *scriptModel) ChatModel(domain.ProviderConfig) (domain.ChatModel, error) { return m, nil }

func (m *scriptModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	m.mu.Lock()
	// Keep a deep copy: the service must not change a request after sending it.
	cp := req
	cp.Messages = append([]domain.ChatMessage(nil), req.Messages...)
	m.reqs = append(m.reqs, cp)
	step := m.steps[min(len(m.reqs), len(m.steps))-1]
	m.mu.Unlock()
	for _, t := range step.tokens {
		if err := onToken(t); err != nil {
			return domain.ChatResult{}, err
		}
	}
	return domain.ChatResult{ToolCalls: step.calls}, nil
}

// call is a tool call with raw arguments.
func call(id, name, args string) domain.ToolCall {
	return domain.ToolCall{ID: id, Name: name, Arguments: json.RawMessage(args)}
}

// toolFixture is a chat service with tools over in-memory logs of incident i1.
type toolFixture struct {
	svc   *domain.ChatService
	store *chatStore
	model *scriptModel
	logs  toolLogs
	blobs *recBlobs
	ctx   context.Context
}

func newToolFixture(t *testing.T, supportsTools bool, steps ...scriptStep) *toolFixture {
	t.Helper()
	f := &toolFixture{store: &chatStore{}, model: &scriptModel{steps: steps}, logs: toolLogs{newMemLogs("i1")}, blobs: newRecBlobs()}
	issues := &chatIssues{issue: &domain.Issue{ID: "i1", Title: "Checkout times out", Severity: domain.SeverityHigh,
		Status: domain.StatusTriaging, Category: "application"}}
	f.svc = domain.NewChatService(
		newTestProviders(t, &chatProviders{cfgs: []*domain.ProviderConfig{
			{Name: "cloud", Kind: domain.ProviderOpenAI, Model: "gpt-test", SupportsTools: supportsTools}}}, f.model),
		domain.NewRedactionGate(f.logs, f.blobs), f.store, issues)
	f.ctx = domain.NewContextWithUser(context.Background(), &domain.User{ID: "u1", Username: "rita", Role: domain.RoleResponder})
	return f
}

// addLog stores a log of i1; a reviewed log's text is what the reviewer's redaction produced.
func (f *toolFixture) addLog(t *testing.T, id, name, text string, reviewed bool) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(text))
	zw.Close()
	key := "logs/i1/" + id + ".txt.gz"
	f.blobs.objects[key] = buf.Bytes()
	l := &domain.LogFile{ID: id, IssueID: "i1", FileName: name, SizeBytes: int64(len(text)), ObjectKey: key}
	if reviewed {
		l.Redacted, l.RedactedObjectKey = true, key
	}
	f.logs.logs[id] = l
}

// ask sends a message and streams the reply, returning it, the tokens and the stored outcome.
func (f *toolFixture) ask(t *testing.T, text string) (*domain.ConversationMessage, []string, domain.ChatReply) {
	t.Helper()
	_, r, err := f.svc.Send(f.ctx, "i1", text, "")
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	var toks []string
	done, err := f.svc.Stream(f.ctx, r.ID, func(s string) error { toks = append(toks, s); return nil })
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	return done, toks, f.store.finished[len(f.store.finished)-1]
}

// toolResults returns the tool messages of a request, by call id.
func toolResults(req domain.ChatRequest) map[string]string {
	out := map[string]string{}
	for _, m := range req.Messages {
		if m.Role == domain.RoleTool {
			out[m.ToolCallID] = m.Content
		}
	}
	return out
}

const appLog = "10:00:01 GET /checkout 200\n" +
	"10:00:02 upstream TIMEOUT after 30s to payments\n" +
	"10:00:03 retry 1 for payments\r\n" +
	"10:00:04 login ok for alice@example.com password=Hunter2secret!\n" +
	"10:00:05 connect 10.20.30.40 timeout\n"

func TestChatToolLoop(t *testing.T) {
	f := newToolFixture(t, true,
		scriptStep{tokens: []string{"Checking the logs."}, calls: []domain.ToolCall{
			call("c1", "search_logs", `{"query":"timeout"}`),
			call("c2", "read_log_lines", `{"file":"app.log","from":2,"to":"3"}`),
		}},
		scriptStep{tokens: []string{"The payments ", "upstream timed out."}},
	)
	f.addLog(t, "log-1", "app.log", appLog, false)
	done, toks, r := f.ask(t, "Why does checkout fail?")

	if done.Status != domain.MessageComplete || r.Content != "Checking the logs.\n\nThe payments upstream timed out." {
		t.Fatalf("reply = %q (%s %s)", r.Content, done.Status, done.Error)
	}
	if got := strings.Join(toks, "|"); got != "Checking the logs.|\n\n|The payments |upstream timed out." {
		t.Errorf("tokens = %q", got)
	}
	if got := strings.Join(r.ToolsUsed, "; "); got != `search_logs "timeout"; read_log_lines app.log 2–3` {
		t.Errorf("tools used = %q", got)
	}
	if len(f.model.reqs) != 2 {
		t.Fatalf("requests = %d", len(f.model.reqs))
	}
	first, second := f.model.reqs[0], f.model.reqs[1]
	if len(first.Tools) != 3 || len(second.Tools) != 3 || first.Tools[0].Name != "search_logs" {
		t.Errorf("tools = %+v / %+v", first.Tools, second.Tools)
	}
	if !strings.Contains(first.Messages[0].Content, "read_log_lines") || first.Messages[0].Role != domain.RoleSystem {
		t.Errorf("the system message does not mention the tools: %q", first.Messages[0].Content)
	}
	// One system message first; the assistant turn with its calls comes before the results.
	msgs := second.Messages
	if msgs[0].Role != domain.RoleSystem || len(msgs) != len(first.Messages)+3 {
		t.Fatalf("second request = %+v", msgs)
	}
	for _, m := range msgs[1:] {
		if m.Role == domain.RoleSystem {
			t.Errorf("a second system message: %+v", m)
		}
	}
	a := msgs[len(first.Messages)]
	if a.Role != domain.RoleAssistant || a.Content != "Checking the logs." || len(a.ToolCalls) != 2 || a.ToolCalls[0].ID != "c1" || a.ToolCalls[1].Name != "read_log_lines" {
		t.Fatalf("assistant turn = %+v", a)
	}
	if m := msgs[len(msgs)-2]; m.Role != domain.RoleTool || m.ToolCallID != "c1" || m.ToolName != "search_logs" {
		t.Errorf("first result = %+v", m)
	}
	res := toolResults(second)
	wantSearch := "app.log:2: 10:00:02 upstream TIMEOUT after 30s to payments\napp.log:5: 10:00:05 connect [IPv4] timeout\n"
	if res["c1"] != wantSearch {
		t.Errorf("search result = %q, want %q", res["c1"], wantSearch)
	}
	if want := "2: 10:00:02 upstream TIMEOUT after 30s to payments\n3: 10:00:03 retry 1 for payments\n"; res["c2"] != want {
		t.Errorf("read result = %q, want %q", res["c2"], want)
	}
	// The audit hashes every round: the concatenated canonical requests, the bytes summed.
	hash, n := domain.HashChatRequest(f.model.reqs...)
	h1, n1 := domain.HashChatRequest(first)
	_, n2 := domain.HashChatRequest(second)
	if r.SentHash != hash || r.BytesSent != n || n != n1+n2 || hash == h1 {
		t.Errorf("audit hash %s/%d, want %s/%d (round 1 alone %s/%d)", r.SentHash, r.BytesSent, hash, n, h1, n1)
	}
	// The hash covers the tool calls and results.
	changed := second
	changed.Messages = append([]domain.ChatMessage(nil), second.Messages...)
	changed.Messages[len(changed.Messages)-1].Content += " "
	if h, _ := domain.HashChatRequest(first, changed); h == hash {
		t.Error("the hash does not cover tool results")
	}
	changed.Messages = append([]domain.ChatMessage(nil), second.Messages...)
	changed.Messages[len(first.Messages)].ToolCalls = []domain.ToolCall{a.ToolCalls[0], call("c2", "read_log_lines", `{"file":"app.log","from":1,"to":3}`)}
	if h, _ := domain.HashChatRequest(first, changed); h == hash {
		t.Error("the hash does not cover tool calls")
	}
}

func TestChatToolsRedactEverything(t *testing.T) {
	f := newToolFixture(t, true,
		scriptStep{calls: []domain.ToolCall{
			call("c1", "search_logs", `{"query":"Hunter2secret"}`),
			call("c1b", "search_logs", `{"query":"password=Hunter2secret!"}`),
			call("c2", "search_logs", `{"query":"alice@example.com"}`),
			call("c3", "read_log_lines", `{"file":"app.log","from":1,"to":500}`),
			call("c4", "read_log_lines", `{"file":"secret.log","from":1,"to":2}`),
			call("c5", "list_logs", `{}`),
		}},
		scriptStep{tokens: []string{"Done."}},
	)
	f.addLog(t, "log-1", "app.log", appLog, false)
	// A reviewed log is read as the reviewer redacted it.
	f.addLog(t, "log-2", "secret.log", "token [ApiKey] rotated\nuser [Email] locked out\n", true)
	_, _, r := f.ask(t, "Look for alice@example.com")

	res := toolResults(f.model.reqs[1])
	if !strings.HasPrefix(res["c1"], "No line contains") {
		t.Errorf("a search for the secret found: %q", res["c1"])
	}
	if !strings.HasPrefix(res["c1b"], "No line contains") {
		t.Errorf("a search for the secret found: %q", res["c1b"])
	}
	if !strings.HasPrefix(res["c2"], "No line contains") {
		t.Errorf("a search for the address found: %q", res["c2"])
	}
	if !strings.Contains(res["c3"], "4: 10:00:04 login ok for [Email] password=[Password]") || !strings.Contains(res["c3"], "5: 10:00:05 connect [IPv4] timeout") {
		t.Errorf("read result = %q", res["c3"])
	}
	if res["c4"] != "1: token [ApiKey] rotated\n2: user [Email] locked out\n" {
		t.Errorf("reviewed log = %q", res["c4"])
	}
	if !strings.Contains(res["c5"], "app.log (id log-1):") || !strings.Contains(res["c5"], "5 lines, auto-redacted (not reviewed yet)") ||
		!strings.Contains(res["c5"], "secret.log (id log-2):") || !strings.Contains(res["c5"], "2 lines, reviewed (redactions applied)") {
		t.Errorf("list = %q", res["c5"])
	}
	// No secret of the log reaches the provider. (A bare value the model itself asks for, like
	// "Hunter2secret", is not recognisable as a secret and goes back as the model wrote it; the
	// search over the redacted text finds nothing.)
	var results []string
	for _, v := range res {
		results = append(results, v)
	}
	for _, secret := range []string{"alice@example.com", "Hunter2secret", "10.20.30.40"} {
		if strings.Contains(strings.Join(results, "\n"), secret) {
			t.Errorf("%q is in a tool result", secret)
		}
	}
	raw, _ := json.Marshal(f.model.reqs)
	for _, secret := range []string{"alice@example.com", "password=Hunter2secret", "10.20.30.40"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("%q reached the provider", secret)
		}
		if strings.Contains(strings.Join(r.ToolsUsed, " "), secret) {
			t.Errorf("%q is in the lookup notes %q", secret, r.ToolsUsed)
		}
	}
	// The model's own arguments are redacted too, keeping their JSON shape.
	args := f.model.reqs[1].Messages[len(f.model.reqs[0].Messages)].ToolCalls[2].Arguments
	if string(args) != `{"query":"[Email]"}` {
		t.Errorf("arguments sent back = %s", args)
	}
	if !strings.Contains(strings.Join(r.PIITypes, ","), "Email") || !strings.Contains(strings.Join(r.PIITypes, ","), "IPv4") {
		t.Errorf("audit PII types = %v", r.PIITypes)
	}
}

func TestChatToolsBadCalls(t *testing.T) {
	f := newToolFixture(t, true,
		scriptStep{calls: []domain.ToolCall{
			call("c1", "read_log_lines", `not json`),
			call("c2", "read_log_lines", `{"file":"app.log","from":"x","to":3}`),
			call("c3", "read_log_lines", `{"file":"app.log","from":9,"to":12}`),
			call("c4", "read_log_lines", `{"file":"missing.log","from":1,"to":2}`),
			call("c5", "read_log_lines", `{"file":"app.log","from":3,"to":1}`),
			call("c6", "search_logs", `{"query":"x","rm":"-rf"}`),
			call("c7", "search_logs", `{"query":""}`),
			call("c8", "rm_rf", `{}`),
			call("c9", "list_logs", `{}`),
		}},
		scriptStep{tokens: []string{"Sorry."}},
	)
	f.addLog(t, "log-1", "app.log", appLog, false)
	done, _, r := f.ask(t, "Check")
	if done.Status != domain.MessageComplete || done.Content != "Sorry." {
		t.Fatalf("reply = %+v", done)
	}
	res := toolResults(f.model.reqs[1])
	for id, want := range map[string]string{
		"c1": "Error: the arguments must be a JSON object.",
		"c2": "Error: line numbers must be whole numbers, like 120.",
		"c3": "Error: app.log has only 5 lines.",
		"c4": `Error: there is no log called "missing.log". The logs are: app.log.`,
		"c5": "Error: lines are numbered from 1, and to cannot be before from.",
		"c6": `Error: unknown argument "rm".`,
		"c7": "Error: give the text to look for as query.",
		"c8": `Error: there is no tool called "rm_rf". The tools are search_logs, read_log_lines and list_logs.`,
	} {
		if res[id] != want {
			t.Errorf("%s = %q, want %q", id, res[id], want)
		}
	}
	// Every call gets a result, past the eighth an error; arguments that are not an object go
	// back as {}.
	if len(res) != 9 || res["c9"] != "Error: at most 8 lookups are run at once; ask again for this one." {
		t.Errorf("results = %q", res)
	}
	if args := f.model.reqs[1].Messages[len(f.model.reqs[0].Messages)].ToolCalls[0].Arguments; string(args) != "{}" {
		t.Errorf("bad arguments sent back as %s", args)
	}
	if len(r.ToolsUsed) != 8 || r.ToolsUsed[7] != "rm_rf (unknown tool)" {
		t.Errorf("tools used = %q", r.ToolsUsed)
	}
}

func TestChatToolsRoundLimit(t *testing.T) {
	f := newToolFixture(t, true, scriptStep{tokens: []string{"More."}, calls: []domain.ToolCall{call("c", "list_logs", `{}`)}})
	f.addLog(t, "log-1", "app.log", appLog, false)
	done, _, r := f.ask(t, "Loop")
	if len(f.model.reqs) != domain.MaxChatToolRounds+1 {
		t.Errorf("requests = %d, want %d", len(f.model.reqs), domain.MaxChatToolRounds+1)
	}
	if len(r.ToolsUsed) != domain.MaxChatToolRounds {
		t.Errorf("lookups run = %d", len(r.ToolsUsed))
	}
	if done.Status != domain.MessageIncomplete || !strings.Contains(done.Error, fmt.Sprintf("stopped after %d rounds", domain.MaxChatToolRounds)) {
		t.Errorf("reply = %s %q", done.Status, done.Error)
	}
	if want := strings.Repeat("More.\n\n", domain.MaxChatToolRounds) + "More."; done.Content != want {
		t.Errorf("content = %q", done.Content)
	}
	// Each round's request holds all earlier rounds.
	last := f.model.reqs[len(f.model.reqs)-1]
	if n := len(toolResults(last)); n != 1 {
		// Every round reuses the id "c": one entry, but one tool message per round.
		t.Errorf("results = %d", n)
	}
	tools := 0
	for _, m := range last.Messages {
		if m.Role == domain.RoleTool {
			tools++
		}
	}
	if tools != domain.MaxChatToolRounds {
		t.Errorf("tool messages in the last request = %d", tools)
	}
}

func TestChatToolsReadIsCapped(t *testing.T) {
	var log strings.Builder
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&log, "line %d %s\n", i, strings.Repeat("x", i*5))
	}
	f := newToolFixture(t, true,
		scriptStep{calls: []domain.ToolCall{
			call("c1", "read_log_lines", `{"file":"big.log","from":1,"to":300}`),
			call("c2", "search_logs", `{"query":"line"}`),
		}},
		scriptStep{tokens: []string{"ok"}},
	)
	f.addLog(t, "log-1", "big.log", log.String(), false)
	_, _, r := f.ask(t, "Read")
	res := toolResults(f.model.reqs[1])
	lines := strings.Split(strings.TrimSuffix(res["c1"], "\n"), "\n")
	if len(lines) != 201 || !strings.HasPrefix(lines[0], "(only 200 lines") || !strings.HasPrefix(lines[200], "200: line 200 ") {
		t.Errorf("read gave %d lines, first %q", len(lines), lines[0])
	}
	for _, l := range lines[1:] {
		if len(l) > 1000+len("300: ") {
			t.Errorf("a read line of %d bytes", len(l))
		}
	}
	found := strings.Split(strings.TrimSuffix(res["c2"], "\n"), "\n")
	if len(found) != 51 || !strings.HasPrefix(found[50], "(300 matching lines in all; only the first 50") {
		t.Errorf("search gave %d lines, last %q", len(found), found[len(found)-1])
	}
	for _, l := range found[:50] {
		if len(l) > 300 {
			t.Errorf("a search line of %d bytes", len(l))
		}
	}
	if r.ToolsUsed[0] != "read_log_lines big.log 1–200" {
		t.Errorf("tools used = %q", r.ToolsUsed)
	}
}

func TestChatToolsNeedSupport(t *testing.T) {
	f := newToolFixture(t, false,
		scriptStep{tokens: []string{"Plain answer."}, calls: []domain.ToolCall{call("c1", "list_logs", `{}`)}})
	f.addLog(t, "log-1", "app.log", appLog, false)
	done, _, r := f.ask(t, "Hello")
	if len(f.model.reqs) != 1 || len(f.model.reqs[0].Tools) != 0 || strings.Contains(f.model.reqs[0].Messages[0].Content, "read_log_lines") {
		t.Errorf("requests = %d, tools %+v", len(f.model.reqs), f.model.reqs[0].Tools)
	}
	if done.Status != domain.MessageComplete || done.Content != "Plain answer." || len(r.ToolsUsed) != 0 {
		t.Errorf("reply = %+v, tools %q", done, r.ToolsUsed)
	}
	// Without tools, the hash is that of the one request.
	if h, n := domain.HashChatRequest(f.model.reqs[0]); r.SentHash != h || r.BytesSent != n {
		t.Errorf("hash = %s/%d, want %s/%d", r.SentHash, r.BytesSent, h, n)
	}
}

// TestReviewedTextGoesOutAsReviewed: a value a reviewer kept in a log reaches the provider as
// it is, wherever the log's text goes (the tools' results, the system message's digest, a log
// analysis and that analysis again as history), while the same value in an unreviewed log, in
// typed text or in a file name is replaced.
func TestReviewedTextGoesOutAsReviewed(t *testing.T) {
	f := newToolFixture(t, true,
		scriptStep{tokens: []string{"Looking."}},
		scriptStep{calls: []domain.ToolCall{
			call("c1", "read_log_lines", `{"file":"reviewed.log","from":1,"to":3}`),
			call("c2", "search_logs", `{"query":"connect"}`),
			call("c3", "list_logs", `{}`),
		}},
		scriptStep{tokens: []string{"Done."}},
	)
	// The reviewer kept the address 10.20.30.40 (a load balancer) and redacted the email.
	f.addLog(t, "log-1", "reviewed.log", "10:00:05 connect 10.20.30.40 timeout\n10:00:06 user [Email] locked out\n", true)
	f.addLog(t, "log-2", "raw-10.9.8.7.log", "10:00:07 connect 10.20.30.41 refused\n", false)

	u, r, err := f.svc.Analyze(f.ctx, "i1", []string{"log-1", "log-2"}, "")
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if _, err := f.svc.Stream(f.ctx, r.ID, nil); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	for _, want := range []string{"connect 10.20.30.40 timeout", "### reviewed.log", "redacted: reviewed", "### raw-[IPv4].log", "connect [IPv4] refused"} {
		if !strings.Contains(u.Content, want) {
			t.Errorf("analysis prompt lacks %q:\n%s", want, u.Content)
		}
	}
	// (The digests mask every address as <IP> in their templates.)
	sys := f.model.reqs[0].Messages[0].Content
	if !strings.Contains(sys, "### reviewed.log") || !strings.Contains(sys, "### raw-[IPv4].log") || strings.Contains(sys, "10.9.8.7") {
		t.Errorf("system message's digests:\n%s", sys)
	}

	// The next question, asked with a typed address: the analysis goes out again as it was
	// sent, the typed value is replaced, and the tools read the reviewed text as reviewed.
	f.ask(t, "Is 10.20.30.40 the balancer?")
	req := f.model.reqs[1]
	var analysis, typed string
	for _, m := range req.Messages {
		if m.Role == domain.RoleUser && strings.Contains(m.Content, "### reviewed.log") {
			analysis = m.Content
		} else if m.Role == domain.RoleUser {
			typed = m.Content
		}
	}
	if analysis != u.Content {
		t.Errorf("the analysis went out again as:\n%s\nwant:\n%s", analysis, u.Content)
	}
	if typed != "Is [IPv4] the balancer?" {
		t.Errorf("typed message sent as %q", typed)
	}
	res := toolResults(f.model.reqs[2])
	if res["c1"] != "1: 10:00:05 connect 10.20.30.40 timeout\n2: 10:00:06 user [Email] locked out\n" {
		t.Errorf("read_log_lines = %q", res["c1"])
	}
	if !strings.Contains(res["c2"], "reviewed.log:1: 10:00:05 connect 10.20.30.40 timeout") ||
		!strings.Contains(res["c2"], "raw-[IPv4].log:1: 10:00:07 connect [IPv4] refused") {
		t.Errorf("search_logs = %q", res["c2"])
	}
	if !strings.Contains(res["c3"], "raw-[IPv4].log (id log-2)") || strings.Contains(res["c3"], "10.9.8.7") {
		t.Errorf("list_logs = %q", res["c3"])
	}
	raw, _ := json.Marshal(f.model.reqs)
	for _, secret := range []string{"10.20.30.41", "10.9.8.7"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("%q reached the provider", secret)
		}
	}
}
