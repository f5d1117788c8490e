package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AuditLink says what a part of an audit sentence names, so that a page can link it.
type AuditLink int

// The things a part of an audit sentence can name.
const (
	// AuditNoLink is plain text.
	AuditNoLink AuditLink = iota
	// AuditLinkEntity names the entry's entity (EntityType, EntityID).
	AuditLinkEntity
	// AuditLinkIssue names the incident of the details' issue_id.
	AuditLinkIssue
)

// AuditPart is a piece of an audit sentence.
type AuditPart struct {
	Text string
	Link AuditLink
	// ID is the id of what a linked part names.
	ID string
}

// AuditSentence returns what the entry records as one sentence of plain text.
func AuditSentence(e *AuditEntry) string {
	var b strings.Builder
	for _, p := range DescribeAudit(e) {
		b.WriteString(p.Text)
	}
	return b.String()
}

// auditDetails is an entry's details, decoded.
type auditDetails map[string]any

// str returns the detail key as text: strings as they are, numbers and booleans formatted, ""
// for anything else.
func (d auditDetails) str(key string) string {
	switch v := d[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// changes returns the details' "changes" as field → {from, to}, and the fields in order. A
// resolved_at that a status change set is left out: the status says it.
func (d auditDetails) changes() (map[string][2]any, []string) {
	m, _ := d["changes"].(map[string]any)
	out := map[string][2]any{}
	var keys []string
	for k, v := range m {
		c, _ := v.(map[string]any)
		out[k] = [2]any{c["from"], c["to"]}
		if _, byStatus := m["status"]; k == "resolved_at" && byStatus {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return out, keys
}

// auditValue shows a changed value: roles and statuses capitalised, text quoted, nothing as
// "none".
func auditValue(field string, v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case string:
		if x == "" {
			return "none"
		}
		switch field {
		case "role", "status", "severity", "priority":
			return humanWord(x)
		}
		if strings.HasSuffix(field, "_at") {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t.UTC().Format("2006-01-02 15:04 UTC")
			}
		}
		return strconv.Quote(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// humanWord turns a stored word such as in_progress into In progress.
func humanWord(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fieldName is how a sentence calls a changed field.
func fieldName(f string) string {
	switch f {
	case "assignee_id":
		return "assignee"
	case "owner_id":
		return "owner"
	case "display_name":
		return "display name"
	}
	return strings.ReplaceAll(f, "_", " ")
}

// sentence builds the parts of an audit sentence.
type sentence struct{ parts []AuditPart }

func (s *sentence) text(format string, args ...any) *sentence {
	s.parts = append(s.parts, AuditPart{Text: fmt.Sprintf(format, args...)})
	return s
}

func (s *sentence) link(text string, l AuditLink, id string) *sentence {
	s.parts = append(s.parts, AuditPart{Text: text, Link: l, ID: id})
	return s
}

// auditActor is how a sentence names who did it.
func auditActor(e *AuditEntry, d auditDetails) string {
	switch {
	case e.ActorID == nil && d.str("via") != "":
		return "The system (" + d.str("via") + ")"
	case e.ActorID == nil:
		return "The system"
	case e.ActorName != "":
		return e.ActorName
	}
	return "A deleted user"
}

// DescribeAudit turns an entry into the parts of a sentence a person reads: who did what to
// which entity, with what changed. The entity, and the incident it belongs to, are parts of
// their own so that a page can link them while they exist; a deleted entity is named from the
// details. An action it does not know gets a generic sentence.
func DescribeAudit(e *AuditEntry) []AuditPart {
	d := auditDetails{}
	dec := json.NewDecoder(bytes.NewReader(e.Details))
	dec.UseNumber()
	_ = dec.Decode(&d) // bad details leave d empty: the sentence falls back on the entry's ids

	s := &sentence{}
	s.text("%s ", auditActor(e, d))
	// entity names the entity: its current name, else the details' key, else its type and id.
	entity := func(kind string, keys ...string) *sentence {
		if kind != "" {
			s.text("%s ", kind)
		}
		if e.EntityName != "" {
			return s.link(e.EntityName, AuditLinkEntity, e.EntityID)
		}
		for _, k := range keys {
			if v := d.str(k); v != "" {
				return s.text("%s", strconv.Quote(v))
			}
		}
		return s.text("%s", e.EntityID)
	}
	// issue names the incident the entity belongs to.
	issue := func(prep string) *sentence {
		if e.IssueRef != "" {
			return s.text(" %s ", prep).link(e.IssueRef, AuditLinkIssue, d.str("issue_id"))
		}
		if d.str("issue_id") != "" {
			return s.text(" %s a deleted incident", prep)
		}
		return s
	}
	changes := func() *sentence {
		ch, keys := d.changes()
		for i, k := range keys {
			sep := ", "
			if i == 0 {
				sep = ": "
			}
			s.text("%s%s from %s to %s", sep, fieldName(k), auditValue(k, ch[k][0]), auditValue(k, ch[k][1]))
		}
		return s
	}
	// changed says "changed the F of X from A to B" for one change, "changed X: …" for several.
	changed := func(kind string, keys ...string) {
		ch, fields := d.changes()
		if len(fields) == 1 {
			f := fields[0]
			s.text("changed the %s of ", fieldName(f))
			entity(kind, keys...)
			s.text(" from %s to %s", auditValue(f, ch[f][0]), auditValue(f, ch[f][1]))
			return
		}
		s.text("changed ")
		entity(kind, keys...)
		changes()
	}

	switch e.Action {
	case "session.login":
		s.text("signed in")
		if d.str("method") == "oidc" {
			s.text(" with single sign-on")
		}
	case "session.login_failed":
		s.text("refused a single sign-on")
		if r := d.str("reason"); r != "" {
			s.text(": %s", r)
		}
	case "user.link_identity":
		s.text("linked a single sign-on identity to ")
		entity("", "username")
	case "retention.run":
		logs, _ := strconv.Atoi(d.str("original_logs_deleted"))
		incidents, _ := strconv.Atoi(d.str("incidents_deleted"))
		s.text("ran retention: deleted the original text of %d %s and %d closed %s", logs, Plural(logs, "log", "logs"),
			incidents, Plural(incidents, "incident", "incidents"))
	case "user.create":
		s.text("created the user ")
		entity("", "display_name", "username")
		if r := d.str("role"); r != "" {
			s.text(" as %s", humanWord(r))
		}
	case "user.update":
		ch, fields := d.changes()
		if dis, ok := ch["disabled"]; ok && len(fields) == 1 {
			verb := "enabled "
			if dis[1] == true {
				verb = "disabled "
			}
			s.text("%s", verb)
			entity("", "username")
		} else {
			changed("", "username")
		}
	case "user.password_reset":
		s.text("reset the password of ")
		entity("", "username")
	case "user.password_change":
		s.text("changed their own password")
	case "token.create":
		s.text("created the API token %s (%s) for %s", strconv.Quote(d.str("name")), d.str("scope"), d.str("username"))
	case "token.revoke":
		s.text("revoked the API token %s", strconv.Quote(d.str("name")))
	case "token.revoke_all":
		n, _ := strconv.Atoi(d.str("count"))
		s.text("revoked %d API %s of ", n, Plural(n, "token", "tokens"))
		entity("", "username")
		switch d.str("reason") {
		case "disabled":
			s.text(" as the account was disabled")
		case "password_reset":
			s.text(" after a password reset")
		}
	case "issue.create":
		s.text("opened the incident ")
		entity("", "title")
	case "issue.update":
		changed("", "title")
	case "issue.delete":
		s.text("deleted the incident ")
		entity("", "title")
	case "log.upload":
		s.text("uploaded ")
		entity("the log", "file_name")
		issue("to")
	case "log.detect":
		s.text("scanned ")
		entity("the log", "file_name")
		s.text(" for personal data again")
	case "log.review":
		n, _ := strconv.Atoi(d.str("changed"))
		s.text("reviewed %d personal data %s in ", n, Plural(n, "finding", "findings"))
		entity("the log", "file_name")
	case "log.redact":
		s.text("applied the redactions to ")
		entity("the log", "file_name")
	case "log.delete":
		s.text("deleted ")
		entity("the log", "file_name")
		issue("from")
	case "log.view_original":
		s.text("viewed the unredacted original of ")
		entity("the log", "file_name")
	case "image.upload":
		s.text("attached ")
		entity("the image", "file_name")
		issue("to")
	case "image.delete":
		s.text("deleted ")
		entity("the image", "file_name")
		issue("from")
	case "document.generate":
		s.text("generated ")
		entity("the "+documentKindName(d.str("kind")), "kind")
		issue("for")
	case "document.save":
		s.text("saved version %s of ", d.str("version"))
		entity("the document", "kind")
	case "document.restore":
		s.text("restored version %s of ", d.str("restored_from"))
		entity("the document", "kind")
		s.text(" as version %s", d.str("version"))
	case "document.export":
		s.text("exported ")
		entity("the "+documentKindName(d.str("kind")), "kind")
		s.text(" as %s", strings.ToUpper(d.str("format")))
	case "five_why.add":
		s.text("added why #%s", d.str("why_number"))
		issue("to")
	case "five_why.update":
		s.text("updated why #%s", d.str("why_number"))
		issue("of")
		changes()
	case "action_item.create":
		s.text("added the action item %s", strconv.Quote(d.str("action")))
		issue("to")
	case "action_item.update":
		s.text("updated an action item")
		issue("of")
		changes()
	case "action_item.delete":
		s.text("deleted the action item %s", strconv.Quote(d.str("action")))
		issue("from")
	case "timeline.add":
		s.text("added a %s event to the timeline", humanWord(d.str("event_type")))
		issue("of")
	case "chat.message":
		s.text("sent a message to the AI (%s)", d.str("model"))
		issue("about")
	case "chat.analysis":
		ids, _ := d["log_file_ids"].([]any)
		s.text("asked the AI (%s) to analyse %d %s", d.str("model"), len(ids), Plural(len(ids), "log", "logs"))
		issue("of")
	case "ai.chat":
		s.text("received a reply from the AI (%s)", d.str("model"))
		issue("in")
	case "ai.chat_retry":
		s.text("retried an AI reply")
		issue("in")
	case "provider_config.create":
		s.text("added the AI provider %s", strconv.Quote(d.str("name")))
	case "provider_config.update":
		s.text("changed the AI provider %s", strconv.Quote(d.str("name")))
	case "provider_config.delete":
		s.text("deleted the AI provider %s", strconv.Quote(d.str("name")))
	case "settings.update":
		_, fields := d.changes()
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = fieldName(f)
		}
		s.text("changed the team settings (%s)", strings.Join(names, ", "))
	case "ollama.model_pull":
		s.text("pulled the Ollama model %s", e.EntityID)
	case "ollama.model_delete":
		s.text("deleted the Ollama model %s", e.EntityID)
	case "audit.export":
		s.text("exported the audit log as %s", strings.ToUpper(d.str("format")))
	default:
		s.text("did %s on %s %s", e.Action, strings.ReplaceAll(e.EntityType, "_", " "), e.EntityID)
	}
	return s.parts
}

// documentKindName is how a sentence calls a kind of document.
func documentKindName(kind string) string {
	switch kind {
	case "rca":
		return "RCA"
	case "postmortem":
		return "post-mortem"
	}
	return "document"
}

// AuditActionKnown reports whether DescribeAudit has a sentence of its own for action.
func AuditActionKnown(action string) bool {
	parts := DescribeAudit(&AuditEntry{Action: action, EntityType: "x", EntityID: "y", Details: []byte("{}")})
	return !strings.HasPrefix(parts[len(parts)-1].Text, "did "+action)
}
