package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"tftsr/ai/aitest"
	"tftsr/domain"
)

// outboundSecrets are the values of the redaction test: every one of them is in the incident's
// title, its log or a chat message, and none may leave the portal.
var outboundSecrets = []string{
	"cfo.office@example.com", "Hunter2-Winter!", "AKIAQ7ZL3EXAMPLE7Q2W", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
	"4111 1111 1111 1111", "postgres://app:Pg-s3cret-42@db.internal:5432/orders", "10.20.30.40",
}

// portalAPIKey is the provider key of the test: it must reach the provider and nothing else.
const portalAPIKey = "sk-live-PortalKey-9f8e7d6c5b4a39281706"

// TestRedactionEveryOutboundPath sends an incident whose title, log and chat message are full of
// secrets through every path that leaves the portal for an AI provider — the chat (with its one
// system message and the log digest in it), a tool call reading the log, and a log analysis —
// against a recording OpenAI-compatible fake. No secret is in any byte the fake received, nor in
// the portal's own log; the provider key is only in the Authorization header, even when a provider
// that refuses it echoes it back; and each AI call's audit row carries the SHA-256 and size of
// exactly what the fake received.
func TestRedactionEveryOutboundPath(t *testing.T) {
	type recorded struct {
		auth string
		body []byte
	}
	var mu sync.Mutex
	var reqs []recorded
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, recorded{r.Header.Get("Authorization"), body})
		mu.Unlock()
		var in struct {
			Tools    []json.RawMessage                `json:"tools"`
			Messages []struct{ Role, Content string } `json:"messages"`
		}
		_ = json.Unmarshal(body, &in)
		w.Header().Set("Content-Type", "text/event-stream")
		send := func(delta string, finish string) {
			fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n", delta, finish)
		}
		last := in.Messages[len(in.Messages)-1]
		if len(in.Tools) > 0 && last.Role == "user" && strings.Contains(last.Content, "check the log") {
			send(`{"role":"assistant","content":"Reading the log."}`, "null")
			send(`{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"read_log_lines","arguments":"{\"file\":\"auth.log\",\"from\":1,\"to\":40}"}}]}`, "null")
			send(`{}`, `"tool_calls"`)
		} else {
			send(`{"role":"assistant","content":"Why 1: the credential rotation job failed."}`, `"stop"`)
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(fake.Close)

	p := startPortal(t)
	token := p.apiToken(t)
	cfg, _ := json.Marshal(map[string]any{"kind": "openai", "base_url": fake.URL + "/v1", "model": "gpt-test", "api_key": portalAPIKey, "supports_tools": true})
	p.apiCall(t, token, http.MethodPut, "/api/v1/ai/configs/cloud", "application/json", strings.NewReader(string(cfg)), nil)

	var issue struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues", "application/json",
		strings.NewReader(`{"title":"Logins fail for cfo.office@example.com from 10.20.30.40","severity":"high","category":"security"}`), &issue)
	logText := strings.Join([]string{
		"2026-11-28T08:00:01Z INFO auth service starting",
		"2026-11-28T08:00:02Z ERROR login failed for cfo.office@example.com from 10.20.30.40 password=Hunter2-Winter!",
		"2026-11-28T08:00:03Z WARN aws_access_key_id=AKIAQ7ZL3EXAMPLE7Q2W aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"2026-11-28T08:00:04Z ERROR upstream rejected Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
		"2026-11-28T08:00:05Z ERROR refund to card 4111 1111 1111 1111 failed",
		"2026-11-28T08:00:06Z ERROR db connect postgres://app:Pg-s3cret-42@db.internal:5432/orders refused",
	}, "\n") + "\n"
	logBody, _ := json.Marshal(map[string]string{"file_name": "auth.log", "content": logText})
	var log struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue.ID+"/logs", "application/json", strings.NewReader(string(logBody)), &log)

	// The chat: a message full of secrets; the model reads the log with a tool, then answers.
	var chat struct {
		UserMessage struct{ Content string } `json:"user_message"`
		Reply       struct{ ID, Status string }
		PIITypes    []string `json:"pii_types"`
	}
	msg, _ := json.Marshal(map[string]string{"message": "Please check the log. The CFO's password is Hunter2-Winter! and the key AKIAQ7ZL3EXAMPLE7Q2W, card 4111 1111 1111 1111."})
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue.ID+"/chat", "application/json", strings.NewReader(string(msg)), &chat)
	if chat.Reply.Status != "complete" || len(chat.PIITypes) == 0 {
		t.Fatalf("chat reply %+v, pii types %v", chat.Reply, chat.PIITypes)
	}
	// The log analysis.
	var analysis struct {
		Reply struct{ ID, Status string }
	}
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue.ID+"/analyze", "application/json",
		strings.NewReader(`{"log_file_ids":["`+log.ID+`"]}`), &analysis)
	if analysis.Reply.Status != "complete" {
		t.Fatalf("analysis reply %+v", analysis.Reply)
	}

	mu.Lock()
	got := append([]recorded(nil), reqs...)
	mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("the provider got %d requests; want 3 (chat, chat after the tool call, analysis)", len(got))
	}
	for i, r := range got {
		if r.auth != "Bearer "+portalAPIKey {
			t.Errorf("request %d: Authorization %q", i+1, r.auth)
		}
		for _, s := range append(outboundSecrets, portalAPIKey) {
			if strings.Contains(string(r.body), s) {
				t.Errorf("request %d carries %q", i+1, s)
			}
		}
	}
	if !strings.Contains(string(got[0].body), "Logins fail for [Email] from [IPv4]") || !strings.Contains(string(got[0].body), "password is [Password]") {
		t.Errorf("the first request lacks the redacted title or message: %s", got[0].body)
	}
	if !strings.Contains(string(got[1].body), `"role":"tool"`) || !strings.Contains(string(got[1].body), "[Password]") {
		t.Errorf("the tool result (the log's lines, redacted) is missing from the second request: %s", got[1].body)
	}
	if !strings.Contains(string(got[2].body), "auth.log:") {
		t.Errorf("the analysis request carries no cited log lines: %s", got[2].body)
	}
	// A provider that refuses the key and echoes it in its error body, as OpenAI does: the key is in
	// no answer, stored message or log line of the portal.
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`,
			strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	t.Cleanup(refusing.Close)
	cfg, _ = json.Marshal(map[string]any{"kind": "openai", "base_url": refusing.URL + "/v1", "model": "gpt-test", "api_key": portalAPIKey})
	p.apiCall(t, token, http.MethodPut, "/api/v1/ai/configs/refusing", "application/json", strings.NewReader(string(cfg)), nil)
	req, _ := http.NewRequest(http.MethodPost, p.URL+"/api/v1/issues/"+issue.ID+"/chat", strings.NewReader(`{"message":"hello","config":"refusing"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	refused, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(refused), `"status":"error"`) || strings.Contains(string(refused), portalAPIKey) || strings.Contains(string(refused), "PortalKey") {
		t.Errorf("refused chat answer: %s", refused)
	}
	var detail json.RawMessage
	p.apiCall(t, token, http.MethodGet, "/api/v1/issues/"+issue.ID, "", nil, &detail)
	var configs json.RawMessage
	p.apiCall(t, token, http.MethodGet, "/api/v1/ai/configs", "", nil, &configs)
	for what, body := range map[string]string{"the incident": string(detail), "the configs": string(configs)} {
		if strings.Contains(body, portalAPIKey) || strings.Contains(body, "PortalKey") {
			t.Errorf("%s hold the provider key: %s", what, body)
		}
	}

	for _, s := range append(outboundSecrets, portalAPIKey, "PortalKey") {
		if strings.Contains(p.stderr.String(), s) {
			t.Errorf("the portal's log holds %q", s)
		}
	}

	// Each AI call's audit row hashes exactly what the fake received: the chat over its two
	// rounds, the analysis over its one.
	var audit struct {
		Items []struct {
			EntityID string          `json:"entity_id"`
			Details  json.RawMessage `json:"details"`
		}
	}
	p.apiCall(t, token, http.MethodGet, "/api/v1/audit?action=ai.chat", "", nil, &audit)
	sent := map[string]struct {
		Hash  string `json:"sent_sha256"`
		Bytes int    `json:"bytes_sent"`
	}{}
	for _, e := range audit.Items {
		var d struct {
			Hash  string `json:"sent_sha256"`
			Bytes int    `json:"bytes_sent"`
		}
		_ = json.Unmarshal(e.Details, &d)
		sent[e.EntityID] = d
		for _, s := range outboundSecrets {
			if strings.Contains(string(e.Details), s) {
				t.Errorf("audit row of %s holds %q", e.EntityID, s)
			}
		}
	}
	for _, c := range []struct {
		reply  string
		rounds []recorded
	}{{chat.Reply.ID, got[:2]}, {analysis.Reply.ID, got[2:]}} {
		var rs []domain.ChatRequest
		for _, r := range c.rounds {
			w, err := aitest.ParseOpenAIBody(r.body)
			if err != nil {
				t.Fatalf("recorded body: %v", err)
			}
			rs = append(rs, w.Request())
		}
		hash, n := domain.HashChatRequest(rs...)
		if a, ok := sent[c.reply]; !ok || a.Hash != hash || a.Bytes != n {
			t.Errorf("audit of reply %s: %+v; the provider received %s (%d bytes)", c.reply, a, hash, n)
		}
	}
}
