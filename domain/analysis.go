package domain

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"tftsr/domain/digest"
)

// MessageKind tells a typed chat message from a log analysis.
type MessageKind string

// The message kinds.
const (
	MessageKindChat     MessageKind = "chat"
	MessageKindAnalysis MessageKind = "analysis"
)

// Limits of a log analysis.
const (
	// MaxAnalysisLogs is the most logs one analysis reads.
	MaxAnalysisLogs = 10
	// AnalysisPromptBudget bounds the prompt of an analysis, in bytes, split evenly across its
	// logs: each gets a header, its digest and its most relevant raw lines.
	AnalysisPromptBudget = 24 << 10
	// AnalysisTextBytes bounds the text of a log that an analysis reads.
	AnalysisTextBytes = 32 << 20
	// SystemDigestBudget bounds the digest of an incident's logs in the chat's system message.
	SystemDigestBudget = 4 << 10
	// systemDigestTextBytes bounds the text of each log that the system message's digest reads,
	// so that the first chat turn after an upload does not wait for every byte of every log.
	systemDigestTextBytes = 8 << 20
	// maxSystemDigestLogs is the most logs the system message describes.
	maxSystemDigestLogs = 20
	// minSystemDigestEntry is the least room a log's entry in the system message needs.
	minSystemDigestEntry = 200
)

// analysisInstructions starts the prompt of a log analysis.
const analysisInstructions = `Analyze the logs below for this incident. They were redacted before sending: placeholders such as [Email] or [Password] replace personal data and secrets.
For each log you get a digest of its line templates (variable parts masked, most relevant first) and its most relevant raw lines, each as <file name>:<line number>: <text>.

Answer in Markdown with:
1. Summary: one paragraph on what the logs show.
2. Key findings: bullet points, each citing its evidence as file:line or file:from–to (for example app.log:1042 or app.log:1042–1050). Cite only lines shown here.
3. A proposed first why, on a line of its own: "Proposed Why 1: <answer in one sentence> (evidence: app.log:1042–1050)".
4. Severity: critical, high, medium or low, with one sentence on why.
`

// Analyze asks the AI provider configName (empty: the first by name) to analyse logs of an
// incident. Each log's text is read through the redaction gate, mined into a digest and its most
// relevant lines picked; the prompt (within AnalysisPromptBudget) is stored as the user message
// of the incident's chat, of kind analysis with the log ids, followed by a pending reply that
// Stream produces like any other, so follow-up questions see the analysis in the history.
func (s *ChatService) Analyze(ctx context.Context, issueID string, logIDs []string, configName string) (user, reply *ConversationMessage, err error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, nil, err
	}
	ids := make([]string, 0, len(logIDs))
	for _, id := range logIDs {
		if id = strings.TrimSpace(id); id != "" && !containsFold(ids, id) {
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		return nil, nil, Errorf(EINVALID, "Choose at least one log to analyze.")
	case len(ids) > MaxAnalysisLogs:
		return nil, nil, Errorf(EINVALID, "Choose at most %d logs to analyze at once.", MaxAnalysisLogs)
	}
	cfg, err := s.chatConfig(ctx, configName)
	if err != nil {
		return nil, nil, err
	}
	issue, err := s.issues.FindIssueByID(ctx, issueID)
	if err != nil {
		return nil, nil, err
	}
	logs := make([]*LogFile, len(ids))
	for i, id := range ids {
		l, err := s.gate.logs.FindLogByID(ctx, id)
		if ErrorCode(err) == ENOTFOUND {
			return nil, nil, Errorf(EINVALID, "There is no log with the id %q.", cutUTF8String(id, 80))
		} else if err != nil {
			return nil, nil, err
		}
		if l.IssueID != issue.ID {
			return nil, nil, Errorf(EINVALID, "The log %s (%s) belongs to another incident.", l.FileName, l.ID)
		}
		logs[i] = l
		ids[i] = l.ID
	}
	prompt, types, err := s.analysisPrompt(ctx, logs, AnalysisPromptBudget)
	if err != nil {
		return nil, nil, err
	}
	// Every part of the prompt comes from the gate: it is not redacted again, so a reviewed
	// log goes out as its reviewer approved it.
	text := derived(prompt)
	text.piiTypes = MergePIITypes(types, text.piiTypes)
	return s.store.AddAnalysisTurn(ctx, issue.ID, cfg.Name, cfg.Model, text, ids)
}

// chatConfig returns the provider config called name, or the first by name when name is "".
func (s *ChatService) chatConfig(ctx context.Context, name string) (*ProviderConfig, error) {
	if name == "" {
		cfgs, err := s.providers.store.FindProviderConfigs(ctx)
		if err != nil {
			return nil, err
		}
		if len(cfgs) == 0 {
			return nil, errNoProvider()
		}
		name = cfgs[0].Name
	}
	cfg, err := s.providers.ForCall(ctx, name)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Invalid("Please correct the highlighted fields.", map[string]string{"config": "Choose a configured AI provider."})
	}
	return cfg, err
}

// analysisPrompt builds the prompt of an analysis of logs within budget bytes and returns it
// with the PII types the gate reported for the logs.
func (s *ChatService) analysisPrompt(ctx context.Context, logs []*LogFile, budget int) (string, []string, error) {
	var b strings.Builder
	b.WriteString(analysisInstructions)
	perLog := (budget - len(analysisInstructions)) / max(len(logs), 1)
	var types []string
	for _, l := range logs {
		text, err := s.gate.Log(ctx, l.ID, AnalysisTextBytes)
		if err != nil {
			return "", nil, err
		}
		types = MergePIITypes(types, text.PIITypes())
		b.WriteString("\n")
		name := s.gate.Text(oneLine(l.FileName)).String()
		b.WriteString(logAnalysisSection(l, name, []byte(text.String()), text.Truncated(), perLog-1))
	}
	return b.String(), types, nil
}

// logAnalysisSection writes the part of an analysis prompt about one log, called name (its
// file name through the gate), from its text as the gate gives it, in at most budget
// bytes: a header, the digest (about two fifths of the budget) and the most relevant lines,
// each as "name:line: text".
func logAnalysisSection(l *LogFile, name string, text []byte, truncated bool, budget int) string {
	m := digest.NewMiner()
	m.Write(text)
	d := m.Digest()
	var b strings.Builder
	fmt.Fprintf(&b, "### %s (%d lines, %s, redacted: %s)\n", name, d.Lines, FormatBytes(l.SizeBytes), redactionState(l))
	if truncated {
		fmt.Fprintf(&b, "Only the first %s of the text were read.\n", FormatBytes(int64(len(text))))
	}
	b.WriteString(digest.Render(d, max(budget*2/5-b.Len(), 0)))
	const linesHead = "Relevant lines:\n"
	room := budget - b.Len() - len(linesHead)
	if room <= 0 {
		return cutUTF8String(b.String(), max(budget, 0))
	}
	lines := fitLines(text, d, name, room)
	if len(lines) > 0 {
		b.WriteString(linesHead)
		b.WriteString(lines)
	}
	return b.String()
}

// fitLines formats the relevant lines of a log as "name:line: text" within room bytes. The
// picker counts a line without the name, so the budget it gets shrinks until the lines fit.
func fitLines(text []byte, d digest.Digest, name string, room int) string {
	format := func(lines []digest.Line) string {
		var b strings.Builder
		for _, l := range lines {
			fmt.Fprintf(&b, "%s:%d: %s\n", name, l.No, l.Text)
		}
		return b.String()
	}
	budget := room
	for range 4 {
		out := format(digest.Relevant(text, d, budget))
		if len(out) <= room {
			return out
		}
		budget -= len(out) - room
		if budget <= 0 {
			return ""
		}
	}
	lines := digest.Relevant(text, d, budget)
	for len(lines) > 0 && len(format(lines)) > room {
		lines = lines[:len(lines)-1]
	}
	return format(lines)
}

// redactionState says how a log's text was redacted: reviewed (a reviewer applied the
// redactions) or auto (every detected value replaced).
func redactionState(l *LogFile) string {
	if l.Redacted {
		return "reviewed"
	}
	return "auto"
}

// logDigestSection is the part of the chat's system message about the incident's logs: a
// compact digest of each (through the redaction gate), within SystemDigestBudget. It is empty
// when the incident has no logs or they cannot be read: the chat goes on without them.
func (s *ChatService) logDigestSection(ctx context.Context, issueID string) string {
	logs, total, err := s.gate.logs.FindLogs(ctx, LogFilter{IssueID: issueID, Page: 1, PerPage: maxSystemDigestLogs})
	if err != nil || len(logs) == 0 {
		return ""
	}
	const head = "\n\n## Uploaded logs\nDigests of the incident's logs (redacted; ask the user to run \"Analyze logs\" for their raw lines):\n"
	room := SystemDigestBudget - len(head)
	n := min(len(logs), max(room/minSystemDigestEntry, 1))
	var b strings.Builder
	b.WriteString(head)
	// Oldest first, as they were uploaded; the list comes newest first.
	for i := n - 1; i >= 0; i-- {
		entry, err := s.systemDigests().entry(ctx, s.gate, logs[i], room/n)
		if err != nil {
			continue
		}
		b.WriteString(entry)
	}
	if more := total - n; more > 0 {
		fmt.Fprintf(&b, "… and %d more logs.\n", more)
	}
	return b.String()
}

// systemDigests keeps the rendered system-message digests of logs, so that a chat turn does
// not read every log again. A log's text never changes, and its redacted text only once, when
// redactions are applied; the key holds both hashes, so an entry is never stale.
func (s *ChatService) systemDigests() *digestCache {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.digests == nil {
		s.digests = &digestCache{max: 256, entries: map[string]string{}}
	}
	return s.digests
}

// digestCache is a small bounded cache of rendered digests; the oldest entry goes first.
type digestCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]string
	order   []string
}

// entry returns the system-message entry of a log rendered in budget bytes.
func (c *digestCache) entry(ctx context.Context, gate *RedactionGate, l *LogFile, budget int) (string, error) {
	key := fmt.Sprintf("%s|%s|%t|%s|%d", l.ID, l.ContentHash, l.Redacted, l.RedactedHash, budget)
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return e, nil
	}
	text, err := gate.Log(ctx, l.ID, systemDigestTextBytes)
	if err != nil {
		return "", err
	}
	m := digest.NewMiner()
	m.Write([]byte(text.String()))
	d := m.Digest()
	var b strings.Builder
	fmt.Fprintf(&b, "### %s (%d lines, %s, redacted: %s)\n", gate.Text(oneLine(l.FileName)), d.Lines, FormatBytes(l.SizeBytes), redactionState(l))
	if text.Truncated() {
		fmt.Fprintf(&b, "Digest of the first %s.\n", FormatBytes(int64(len(text.String()))))
	}
	b.WriteString(digest.Render(d, budget-b.Len()))
	e = b.String()
	if len(e) > budget {
		e = ""
	}
	c.mu.Lock()
	if _, ok := c.entries[key]; !ok {
		c.entries[key] = e
		c.order = append(c.order, key)
		for len(c.order) > c.max {
			delete(c.entries, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	return e, nil
}

// containsFold reports whether list holds s, ignoring case (ids are UUIDs).
func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// cutUTF8String cuts s to at most n bytes on a character boundary.
func cutUTF8String(s string, n int) string {
	return string(cutUTF8([]byte(s), n))
}
