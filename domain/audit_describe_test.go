package domain_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

func TestDescribeAudit(t *testing.T) {
	jane := "u-jane"
	entry := func(action, entityType, name, issueRef, details string) *domain.AuditEntry {
		return &domain.AuditEntry{ActorID: &jane, ActorName: "Jane Doe", Action: action, EntityType: entityType,
			EntityID: "e-1", EntityName: name, IssueRef: issueRef, Details: []byte(details)}
	}
	cases := []struct {
		e    *domain.AuditEntry
		want string
	}{
		{entry("session.login", "user", "Jane Doe", "", `{"addr":"10.0.0.1"}`), "Jane Doe signed in"},
		{entry("user.create", "user", "Bob", "", `{"username":"bob","display_name":"Bob","role":"responder"}`), "Jane Doe created the user Bob as Responder"},
		{entry("user.update", "user", "Bob", "", `{"username":"bob","changes":{"role":{"from":"responder","to":"admin"}}}`), "Jane Doe changed the role of Bob from Responder to Admin"},
		{entry("user.update", "user", "Bob", "", `{"username":"bob","changes":{"disabled":{"from":false,"to":true}}}`), "Jane Doe disabled Bob"},
		{entry("user.update", "user", "Bob", "", `{"username":"bob","changes":{"disabled":{"from":true,"to":false}}}`), "Jane Doe enabled Bob"},
		{entry("user.update", "user", "", "", `{"username":"bob","changes":{"display_name":{"from":"B","to":"Bob"},"role":{"from":"viewer","to":"responder"}}}`),
			`Jane Doe changed "bob": display name from "B" to "Bob", role from Viewer to Responder`},
		{entry("user.password_reset", "user", "Bob", "", `{"username":"bob"}`), "Jane Doe reset the password of Bob"},
		{entry("user.password_change", "user", "Jane Doe", "", `{"username":"jane"}`), "Jane Doe changed their own password"},
		{entry("token.create", "token", "", "", `{"username":"jane","name":"ci","scope":"read"}`), `Jane Doe created the API token "ci" (read) for jane`},
		{entry("token.revoke", "token", "", "", `{"name":"ci"}`), `Jane Doe revoked the API token "ci"`},
		{entry("token.revoke_all", "user", "Bob", "", `{"username":"bob","count":2,"reason":"password_reset"}`), "Jane Doe revoked 2 API tokens of Bob after a password reset"},
		{entry("token.revoke_all", "user", "Bob", "", `{"username":"bob","count":1,"reason":"disabled"}`), "Jane Doe revoked 1 API token of Bob as the account was disabled"},
		{entry("issue.create", "issue", `INC-12 "DB down"`, "", `{"title":"DB down"}`), `Jane Doe opened the incident INC-12 "DB down"`},
		{entry("issue.update", "issue", `INC-12 "DB down"`, "", `{"changes":{"status":{"from":"open","to":"resolved"},"resolved_at":{"from":null,"to":"2026-05-06T07:08:09.123Z"}}}`), `Jane Doe changed the status of INC-12 "DB down" from Open to Resolved`},
		{entry("issue.update", "issue", `INC-12 "DB down"`, "", `{"changes":{"started_at":{"from":null,"to":"2026-05-06T07:08:09Z"}}}`), `Jane Doe changed the started at of INC-12 "DB down" from none to 2026-05-06 07:08 UTC`},
		{entry("issue.update", "issue", "", "", `{"changes":{"severity":{"from":"high","to":"critical"},"title":{"from":"a","to":"b"}}}`), `Jane Doe changed e-1: severity from High to Critical, title from "a" to "b"`},
		{entry("issue.delete", "issue", "", "", `{"title":"DB down"}`), `Jane Doe deleted the incident "DB down"`},
		{entry("log.upload", "log_file", "app.log", "INC-12", `{"issue_id":"i-1","file_name":"app.log"}`), "Jane Doe uploaded the log app.log to INC-12"},
		{entry("log.detect", "log_file", "app.log", "INC-12", `{"issue_id":"i-1"}`), "Jane Doe scanned the log app.log for personal data again"},
		{entry("log.review", "log_file", "app.log", "INC-12", `{"issue_id":"i-1","changed":3}`), "Jane Doe reviewed 3 personal data findings in the log app.log"},
		{entry("log.redact", "log_file", "app.log", "INC-12", `{"issue_id":"i-1"}`), "Jane Doe applied the redactions to the log app.log"},
		{entry("log.delete", "log_file", "", "INC-12", `{"issue_id":"i-1","file_name":"app.log"}`), `Jane Doe deleted the log "app.log" from INC-12`},
		{entry("log.view_original", "log_file", "app.log", "INC-12", `{"issue_id":"i-1","file_name":"app.log"}`), "Jane Doe viewed the unredacted original of the log app.log"},
		{entry("image.upload", "image_attachment", "shot.png", "INC-12", `{"issue_id":"i-1","file_name":"shot.png"}`), "Jane Doe attached the image shot.png to INC-12"},
		{entry("image.delete", "image_attachment", "", "", `{"issue_id":"i-1","file_name":"shot.png"}`), `Jane Doe deleted the image "shot.png" from a deleted incident`},
		{entry("document.generate", "document", "RCA: DB down", "INC-12", `{"issue_id":"i-1","kind":"rca","version":1}`), "Jane Doe generated the RCA RCA: DB down for INC-12"},
		{entry("document.save", "document", "RCA: DB down", "INC-12", `{"issue_id":"i-1","version":2}`), "Jane Doe saved version 2 of the document RCA: DB down"},
		{entry("document.restore", "document", "RCA: DB down", "INC-12", `{"issue_id":"i-1","version":3,"restored_from":1}`), "Jane Doe restored version 1 of the document RCA: DB down as version 3"},
		{entry("document.export", "document", "Post-mortem", "INC-12", `{"issue_id":"i-1","kind":"postmortem","format":"pdf"}`), "Jane Doe exported the post-mortem Post-mortem as PDF"},
		{entry("five_why.add", "five_why", "", "INC-12", `{"issue_id":"i-1","why_number":2}`), "Jane Doe added why #2 to INC-12"},
		{entry("five_why.update", "five_why", "", "INC-12", `{"issue_id":"i-1","why_number":2,"changes":{"answer":{"from":"","to":"disk"}}}`), `Jane Doe updated why #2 of INC-12: answer from none to "disk"`},
		{entry("action_item.create", "action_item", "", "INC-12", `{"issue_id":"i-1","action":"Add alerts"}`), `Jane Doe added the action item "Add alerts" to INC-12`},
		{entry("action_item.update", "action_item", "", "INC-12", `{"issue_id":"i-1","changes":{"status":{"from":"open","to":"done"}}}`), "Jane Doe updated an action item of INC-12: status from Open to Done"},
		{entry("action_item.delete", "action_item", "", "INC-12", `{"issue_id":"i-1","action":"Add alerts"}`), `Jane Doe deleted the action item "Add alerts" from INC-12`},
		{entry("timeline.add", "timeline_event", "", "INC-12", `{"issue_id":"i-1","event_type":"note"}`), "Jane Doe added a Note event to the timeline of INC-12"},
		{entry("chat.message", "message", "", "INC-12", `{"issue_id":"i-1","model":"llama3"}`), "Jane Doe sent a message to the AI (llama3) about INC-12"},
		{entry("chat.analysis", "message", "", "INC-12", `{"issue_id":"i-1","model":"llama3","log_file_ids":["a","b"]}`), "Jane Doe asked the AI (llama3) to analyse 2 logs of INC-12"},
		{entry("ai.chat", "message", "", "INC-12", `{"issue_id":"i-1","model":"llama3"}`), "Jane Doe received a reply from the AI (llama3) in INC-12"},
		{entry("ai.chat_retry", "message", "", "INC-12", `{"issue_id":"i-1"}`), "Jane Doe retried an AI reply in INC-12"},
		{entry("provider_config.create", "provider_config", "", "", `{"name":"local"}`), `Jane Doe added the AI provider "local"`},
		{entry("provider_config.update", "provider_config", "", "", `{"name":"local"}`), `Jane Doe changed the AI provider "local"`},
		{entry("provider_config.delete", "provider_config", "", "", `{"name":"local"}`), `Jane Doe deleted the AI provider "local"`},
		{entry("settings.update", "settings", "", "", `{"changes":{"ollama_url":{"from":"a","to":"b"},"team_name":{"from":"x","to":"y"}}}`), "Jane Doe changed the team settings (ollama url, team name)"},
		{&domain.AuditEntry{ActorID: &jane, ActorName: "Jane Doe", Action: "ollama.model_pull", EntityType: "ollama_model", EntityID: "llama3.2:3b", Details: []byte(`{}`)}, "Jane Doe pulled the Ollama model llama3.2:3b"},
		{&domain.AuditEntry{ActorID: &jane, ActorName: "Jane Doe", Action: "ollama.model_delete", EntityType: "ollama_model", EntityID: "llama3.2:3b", Details: []byte(`{}`)}, "Jane Doe deleted the Ollama model llama3.2:3b"},
		{entry("audit.export", "audit_log", "", "", `{"format":"csv"}`), "Jane Doe exported the audit log as CSV"},
		{entry("session.login", "user", "", "", `{"method":"oidc"}`), "Jane Doe signed in with single sign-on"},
		{entry("user.link_identity", "user", "", "", `{"username":"jane","issuer":"https://id.example","subject":"s-1"}`), `Jane Doe linked a single sign-on identity to "jane"`},
		{&domain.AuditEntry{Action: "session.login_failed", EntityType: "user", Details: []byte(`{"method":"oidc","reason":"bad ID token"}`)},
			"The system refused a single sign-on: bad ID token"},
		{&domain.AuditEntry{Action: "retention.run", EntityType: "settings", EntityID: "retention", Details: []byte(`{"original_logs_deleted":3,"incidents_deleted":1}`)},
			"The system ran retention: deleted the original text of 3 logs and 1 closed incident"},
		// Actors who are not there: the system, a deleted user.
		{&domain.AuditEntry{Action: "user.create", EntityType: "user", EntityID: "u-1", EntityName: "Administrator", Details: []byte(`{"via":"start-up","role":"admin"}`)},
			"The system (start-up) created the user Administrator as Admin"},
		{&domain.AuditEntry{ActorID: &jane, Action: "session.login", EntityType: "user", Details: []byte(`{}`)}, "A deleted user signed in"},
		// An action the portal does not know, and details that are not JSON.
		{entry("mystery.thing", "widget", "", "", `not json`), "Jane Doe did mystery.thing on widget e-1"},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.e.Action] = true
		if got := domain.AuditSentence(c.e); got != c.want {
			t.Errorf("%s %s:\n got %s\nwant %s", c.e.Action, c.e.Details, got, c.want)
		}
	}
	// Every action the portal writes is in the table above.
	for _, a := range writtenAuditActions(t) {
		if !seen[a] {
			t.Errorf("the portal writes %q, which the table does not test", a)
		}
	}
}

// writtenAuditActions returns the audit actions the portal's code writes: the "thing.verb"
// literals in the files of db and domain that append audit entries.
func writtenAuditActions(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"../db", "."} {
		m, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	lit := regexp.MustCompile(`"([a-z_]+\.[a-z_]+)"`)
	found := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, "audit_describe.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		if !strings.Contains(src, "appendAudit(") && !strings.Contains(src, "RecordAudit(") {
			continue
		}
		for _, m := range lit.FindAllStringSubmatch(src, -1) {
			if !strings.Contains(m[1], "_test") && !strings.HasSuffix(m[1], ".go") {
				found[m[1]] = true
			}
		}
	}
	var out []string
	for a := range found {
		out = append(out, a)
	}
	if len(out) < 30 {
		t.Fatalf("found only %d audit actions in the code: %v", len(out), out)
	}
	return out
}

func TestAuditActionKnown(t *testing.T) {
	for _, a := range writtenAuditActions(t) {
		if !domain.AuditActionKnown(a) {
			t.Errorf("%q falls back on the generic sentence", a)
		}
	}
	if domain.AuditActionKnown("mystery.thing") {
		t.Error("mystery.thing is known")
	}
}

func TestDescribeAuditLinks(t *testing.T) {
	jane := "u-jane"
	e := &domain.AuditEntry{ActorID: &jane, ActorName: "Jane", Action: "log.upload", EntityType: "log_file", EntityID: "l-1",
		EntityName: "app.log", IssueRef: "INC-7", Details: []byte(`{"issue_id":"i-7","file_name":"app.log"}`)}
	var links []domain.AuditPart
	for _, p := range domain.DescribeAudit(e) {
		if p.Link != domain.AuditNoLink {
			links = append(links, p)
		}
	}
	want := []domain.AuditPart{{Text: "app.log", Link: domain.AuditLinkEntity, ID: "l-1"}, {Text: "INC-7", Link: domain.AuditLinkIssue, ID: "i-7"}}
	if len(links) != 2 || links[0] != want[0] || links[1] != want[1] {
		t.Errorf("links %+v, want %+v", links, want)
	}
	// A deleted entity is named, not linked.
	e.EntityName, e.IssueRef = "", ""
	for _, p := range domain.DescribeAudit(e) {
		if p.Link != domain.AuditNoLink {
			t.Errorf("deleted entity linked: %+v", p)
		}
	}
}

func TestAuditCSVRecord(t *testing.T) {
	actor := "u-1"
	e := &domain.AuditEntry{Seq: 7, At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), ActorID: &actor, ActorName: "=HYPERLINK(\"x\")",
		Action: "issue.create", EntityType: "issue", EntityID: "i-1", EntityName: "@SUM(A1)", Details: []byte(`{"title": "-1+1"}`), EntryHash: "ab"}
	got := domain.AuditCSVRecord(e)
	want := []string{"7", "2026-01-02T03:04:05.000006Z", "u-1", "'=HYPERLINK(\"x\")", "issue.create", "issue", "i-1",
		"'=HYPERLINK(\"x\") opened the incident @SUM(A1)", `{"title":"-1+1"}`, "ab"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("AuditCSVRecord:\n got %q\nwant %q", got, want)
	}
	if len(got) != len(domain.AuditCSVHeader) {
		t.Errorf("%d cells, %d headers", len(got), len(domain.AuditCSVHeader))
	}
}

func TestSpreadsheetSafe(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "plain": "plain", "=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"a=b": "a=b", "'=x": "'=x",
	} {
		if got := domain.SpreadsheetSafe(in); got != want {
			t.Errorf("SpreadsheetSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckAdminRemains(t *testing.T) {
	admin := &domain.User{Username: "ada", DisplayName: "Ada", Role: domain.RoleAdmin}
	demoted := &domain.User{Username: "ada", Role: domain.RoleViewer}
	disabled := &domain.User{Username: "ada", Role: domain.RoleAdmin, Disabled: true}
	viewer := &domain.User{Username: "vic", Role: domain.RoleViewer}
	cases := []struct {
		before, after *domain.User
		others        int
		wantMsg       string
	}{
		{admin, demoted, 0, "Ada is the last active admin and cannot be demoted: make another user an admin first."},
		{admin, disabled, 0, "Ada is the last active admin and cannot be disabled: make another user an admin first."},
		{admin, demoted, 1, ""},
		{admin, admin, 0, ""},
		{viewer, &domain.User{Role: domain.RoleResponder}, 0, ""},
		{disabled, demoted, 0, ""}, // a disabled admin is not the one keeping the portal managed
	}
	for _, c := range cases {
		err := domain.CheckAdminRemains(c.before, c.after, c.others)
		switch {
		case c.wantMsg == "" && err != nil:
			t.Errorf("%+v → %+v with %d others: %v", c.before, c.after, c.others, err)
		case c.wantMsg != "" && (domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorMessage(err) != c.wantMsg):
			t.Errorf("%+v → %+v: %v, want conflict %q", c.before, c.after, err, c.wantMsg)
		}
	}
}

func TestFilterValidate(t *testing.T) {
	from, to := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bad := []domain.AuditFilter{{Query: "a\uFFFDb"}, {Action: "x\x00"}, {Query: strings.Repeat("x", 201)}, {From: &from, To: &to}}
	for _, f := range bad {
		if err := f.Validate(); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%+v: %v, want invalid", f, err)
		}
	}
	ok := domain.AuditFilter{Query: "  disk  ", From: &to, To: &from}
	if err := ok.Validate(); err != nil || ok.Query != "disk" {
		t.Errorf("%+v: %v", ok, err)
	}
	uf := domain.UserFilter{Query: "a\uFFFD"}
	if err := uf.Validate(); domain.ErrorCode(err) != domain.EINVALID || domain.ErrorFields(err)["q"] == "" {
		t.Errorf("user filter with NUL: %v", err)
	}
}
