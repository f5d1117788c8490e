package domain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The limits of the triage chat's tools.
const (
	// MaxChatToolRounds bounds the rounds of tool calls in one reply: after that many, a model
	// still asking for lookups is stopped.
	MaxChatToolRounds = 6
	// maxToolCallsPerRound bounds the calls run in one round; the rest are answered with an error.
	maxToolCallsPerRound = 8
	// toolLogCap is how much of a log's redacted text the tools read.
	toolLogCap = 32 << 20
	// toolCacheCap bounds the redacted text a reply's tools keep in memory between calls.
	toolCacheCap = 64 << 20
	// maxSearchMatches and maxSearchLineBytes bound a search_logs result.
	maxSearchMatches   = 50
	maxSearchLineBytes = 300
	// maxReadLines and maxReadLineBytes bound a read_log_lines result.
	maxReadLines     = 200
	maxReadLineBytes = 1000
	// maxToolQuery bounds a search query; maxToolLabel a lookup's note under the reply.
	maxToolQuery = 200
	maxToolLabel = 120
)

// The built-in tools of the triage chat: read-only lookups in the incident's logs.
const (
	ToolSearchLogs   = "search_logs"
	ToolReadLogLines = "read_log_lines"
	ToolListLogs     = "list_logs"
)

// errToolRounds is the note on a reply whose model still asked for lookups after the last round.
var errToolRounds = fmt.Sprintf("The model kept asking for lookups; it was stopped after %d rounds.", MaxChatToolRounds)

// toolRun is the outcome of a reply's calls: the text the user saw, every request sent (one per
// round), the lookups made and the PII types their results had redacted.
type toolRun struct {
	reply    strings.Builder
	sent     []ChatRequest
	usage    ChatUsage // summed over the rounds, where the provider says
	used     []string
	piiTypes []string
	// stopped says the model still asked for lookups after MaxChatToolRounds rounds.
	stopped bool
	// err ended the reply; toolErr says it came from a lookup, not the provider.
	err     error
	toolErr bool
}

// callWithTools asks model for the reply to req. With tools (nil: none are offered) the model
// may ask for lookups: each round appends the assistant message with its tool calls, then one
// tool message per call with its result, all through the redaction gate, and asks again, for at
// most MaxChatToolRounds rounds. The text of every round streams to onToken; rounds are
// separated by a blank line.
func (s *ChatService) callWithTools(ctx context.Context, model ChatModel, req ChatRequest, tools *chatTools, onToken func(string) error) *toolRun {
	run := &toolRun{}
	if tools != nil {
		req.Tools = ChatToolSpecs()
		// The instructions join the one system message, which stays first.
		req.Messages = slices.Clone(req.Messages)
		if len(req.Messages) > 0 && req.Messages[0].Role == RoleSystem {
			req.Messages[0].Content += "\n\n" + s.gate.Text(chatToolsPrompt).String()
		}
	}
	for round := 0; ; round++ {
		var text strings.Builder
		run.sent = append(run.sent, req)
		res, err := model.StreamChat(ctx, req, func(tok string) error {
			if text.Len() == 0 && run.reply.Len() > 0 && tok != "" {
				sep := "\n\n"
				if strings.HasSuffix(run.reply.String(), "\n") {
					sep = "\n"
				}
				run.reply.WriteString(sep)
				if onToken != nil {
					if err := onToken(sep); err != nil {
						return err
					}
				}
			}
			text.WriteString(tok)
			run.reply.WriteString(tok)
			if onToken != nil {
				return onToken(tok)
			}
			return nil
		})
		run.usage.InputTokens += res.Usage.InputTokens
		run.usage.OutputTokens += res.Usage.OutputTokens
		if err != nil {
			run.err = err
			return run
		}
		if tools == nil || len(res.ToolCalls) == 0 {
			return run
		}
		if round == MaxChatToolRounds {
			run.stopped = true
			return run
		}
		// The assistant turn keeps its tool calls, then each call's result follows.
		calls := make([]ToolCall, len(res.ToolCalls))
		for i, c := range res.ToolCalls {
			calls[i] = ToolCall{ID: c.ID, Name: s.gate.Text(c.Name).String(), Arguments: s.gate.redactToolArgs(c.Arguments), Signature: c.Signature}
		}
		msgs := append(req.Messages[:len(req.Messages):len(req.Messages)], ChatMessage{
			Role: RoleAssistant, Content: s.gate.Text(strings.ToValidUTF8(text.String(), replacementChar)).String(), ToolCalls: calls,
		})
		for i, c := range res.ToolCalls {
			var result RedactedText
			if i < maxToolCallsPerRound {
				out, label, err := tools.run(ctx, c)
				if err != nil {
					run.err, run.toolErr = err, true
					return run
				}
				result = out
				run.used = append(run.used, label)
				run.piiTypes = MergePIITypes(run.piiTypes, tokenTypes([]byte(out.String())))
			} else {
				result = s.gate.Text(fmt.Sprintf("Error: at most %d lookups are run at once; ask again for this one.", maxToolCallsPerRound))
			}
			msgs = append(msgs, ChatMessage{Role: RoleTool, Content: result.String(), ToolCallID: calls[i].ID, ToolName: calls[i].Name})
		}
		req.Messages = msgs
	}
}

// chatToolsPrompt tells a model that is offered the tools how to use them.
const chatToolsPrompt = "You can look things up in this incident's uploaded logs with the tools list_logs, search_logs and " +
	"read_log_lines. The logs are redacted: values such as [Email] or [Password] stand for removed data and cannot be " +
	"looked up. Cite what you find as file:line."

// ChatToolSpecs returns the tools the triage chat offers a model that supports tools.
func ChatToolSpecs() []ToolSpec {
	return []ToolSpec{
		{
			Name: ToolSearchLogs,
			Description: "Search the incident's uploaded logs (already redacted) for lines containing a text, case-insensitively. " +
				"Returns at most 50 matching lines as file:line: text.",
			Parameters: json.RawMessage(`{"type":"object","properties":{` +
				`"query":{"type":"string","description":"The text to look for."},` +
				`"log":{"type":"string","description":"Only search this log file (a name from list_logs)."}},` +
				`"required":["query"]}`),
		},
		{
			Name:        ToolReadLogLines,
			Description: "Read a range of lines (1-based, inclusive, at most 200) of one of the incident's logs.",
			Parameters: json.RawMessage(`{"type":"object","properties":{` +
				`"file":{"type":"string","description":"The log file name, as list_logs shows it."},` +
				`"from":{"type":"integer","description":"The first line, from 1."},` +
				`"to":{"type":"integer","description":"The last line."}},` +
				`"required":["file","from","to"]}`),
		},
		{
			Name:        ToolListLogs,
			Description: "List the incident's logs: file name, size, line count and whether a reviewer applied redactions.",
			Parameters:  json.RawMessage(`{"type":"object","properties":{}}`),
		},
	}
}

// chatTools runs the built-in tools of one reply over one incident's logs. Every log is read
// through the redaction gate, and every result passes the gate again before it is returned.
type chatTools struct {
	gate    *RedactionGate
	issueID string

	logs   []*LogFile
	texts  map[string]RedactedText
	cached int
}

// newChatTools returns the tools of a reply to the incident issueID.
func newChatTools(gate *RedactionGate, issueID string) *chatTools {
	return &chatTools{gate: gate, issueID: issueID, texts: map[string]RedactedText{}}
}

// run runs one tool call and returns its result, redacted, and a short note of the lookup for
// people ("read_log_lines app.log 100–140"). The call comes from the model and is untrusted: a bad
// call gets a result starting with "Error:" for the model to correct, never a failure. Only a
// failure to read the logs (the store is down, ctx ended) is an error.
func (t *chatTools) run(ctx context.Context, call ToolCall) (RedactedText, string, error) {
	var out, label string
	var err error
	switch call.Name {
	case ToolSearchLogs:
		out, label, err = t.searchLogs(ctx, call.Arguments)
	case ToolReadLogLines:
		out, label, err = t.readLogLines(ctx, call.Arguments)
	case ToolListLogs:
		out, label, err = t.listLogs(ctx, call.Arguments)
	default:
		name := call.Name
		if len(name) > 64 {
			name = string(cutUTF8([]byte(name), 64))
		}
		out, label = fmt.Sprintf("Error: there is no tool called %q. The tools are search_logs, read_log_lines and list_logs.", t.typed(name)), name+" (unknown tool)"
	}
	if err != nil {
		return RedactedText{}, "", err
	}
	label = t.gate.Text(label).String()
	if len(label) > maxToolLabel {
		label = string(cutUTF8([]byte(label), maxToolLabel)) + "…"
	}
	// The result is made of the logs' text as the gate gives it and of names passed through
	// the gate: it is not redacted again, so values a reviewer kept stay kept.
	return derived(out), label, nil
}

// typed returns s, a name or other text that did not come from the gate, through it.
func (t *chatTools) typed(s string) string { return t.gate.Text(s).String() }

// toolArgError is a bad tool argument, reported to the model.
type toolArgError struct{ msg string }

func (e *toolArgError) Error() string { return e.msg }

// decodeToolArgs decodes a call's arguments, a JSON object without unknown members, into v.
func decodeToolArgs(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		var tae *toolArgError
		switch {
		case errors.As(err, &tae):
			return tae
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return &toolArgError{"Error: unknown argument " + strings.TrimPrefix(err.Error(), "json: unknown field ") + "."}
		case errors.As(err, &ute):
			return &toolArgError{fmt.Sprintf("Error: the argument %q has the wrong type.", ute.Field)}
		}
		return &toolArgError{"Error: the arguments must be a JSON object."}
	}
	if dec.More() {
		return &toolArgError{"Error: the arguments must be one JSON object."}
	}
	return nil
}

// toolInt is a whole number argument, which models write as a number or a string of digits.
type toolInt struct {
	n   int
	set bool
}

func (i *toolInt) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(uq)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == float64(int(f)) {
			n, err = int(f), nil
		}
	}
	if err != nil {
		return &toolArgError{"Error: line numbers must be whole numbers, like 120."}
	}
	i.n, i.set = n, true
	return nil
}

// loadLogs returns the incident's logs, newest first.
func (t *chatTools) loadLogs(ctx context.Context) ([]*LogFile, error) {
	if t.logs != nil {
		return t.logs, nil
	}
	all := []*LogFile{}
	for page := 1; ; page++ {
		logs, total, err := t.gate.logs.FindLogs(ctx, LogFilter{IssueID: t.issueID, Page: page, PerPage: MaxPerPage})
		if err != nil {
			return nil, err
		}
		all = append(all, logs...)
		if len(logs) == 0 || len(all) >= total {
			break
		}
	}
	t.logs = all
	return all, nil
}

// findLog returns the log called name (or with that id), or a message for the model.
func (t *chatTools) findLog(ctx context.Context, name string) (*LogFile, string, error) {
	logs, err := t.loadLogs(ctx)
	if err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	var found []*LogFile
	for _, l := range logs {
		if l.FileName == name || l.ID == name {
			found = append(found, l)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], "", nil
	case len(found) > 1:
		ids := make([]string, len(found))
		for i, l := range found {
			ids[i] = l.ID
		}
		return nil, fmt.Sprintf("Error: several logs are called %q; give one of their ids instead: %s.", t.typed(name), strings.Join(ids, ", ")), nil
	case len(logs) == 0:
		return nil, "Error: this incident has no logs.", nil
	}
	names := make([]string, len(logs))
	for i, l := range logs {
		names[i] = t.typed(l.FileName)
	}
	return nil, fmt.Sprintf("Error: there is no log called %q. The logs are: %s.", t.typed(name), strings.Join(names, ", ")), nil
}

// text returns a log's redacted text, at most toolLogCap bytes of it.
func (t *chatTools) text(ctx context.Context, l *LogFile) (RedactedText, error) {
	if txt, ok := t.texts[l.ID]; ok {
		return txt, nil
	}
	txt, err := t.gate.Log(ctx, l.ID, toolLogCap)
	if err != nil {
		return RedactedText{}, err
	}
	if t.cached+len(txt.String()) > toolCacheCap {
		clear(t.texts)
		t.cached = 0
	}
	t.texts[l.ID] = txt
	t.cached += len(txt.String())
	return txt, nil
}

// eachLine calls fn with each line of text (1-based, without its line ending) until fn returns
// false.
func eachLine(text string, fn func(n int, line string) bool) {
	for n := 1; text != ""; n++ {
		line, rest, _ := strings.Cut(text, "\n")
		if !fn(n, strings.TrimSuffix(line, "\r")) {
			return
		}
		text = rest
	}
}

// cutLine cuts a line to at most n bytes on a character boundary, marking the cut.
func cutLine(line string, n int) string {
	if len(line) <= n {
		return line
	}
	return string(cutUTF8([]byte(line), n-len("…"))) + "…"
}

// searchLogs runs search_logs{query, log?}.
func (t *chatTools) searchLogs(ctx context.Context, raw json.RawMessage) (string, string, error) {
	var args struct {
		Query *string `json:"query"`
		Log   string  `json:"log"`
	}
	if err := decodeToolArgs(raw, &args); err != nil {
		return err.Error(), ToolSearchLogs + " (bad arguments)", nil
	}
	if args.Query == nil || strings.TrimSpace(*args.Query) == "" {
		return "Error: give the text to look for as query.", ToolSearchLogs + " (bad arguments)", nil
	}
	query := strings.TrimSpace(*args.Query)
	if len(query) > maxToolQuery {
		return fmt.Sprintf("Error: the query is longer than %d bytes.", maxToolQuery), ToolSearchLogs + " (bad arguments)", nil
	}
	label := ToolSearchLogs + " " + strconv.Quote(query)
	logs, err := t.loadLogs(ctx)
	if err != nil {
		return "", "", err
	}
	if args.Log != "" {
		l, msg, err := t.findLog(ctx, args.Log)
		if err != nil || l == nil {
			return msg, label, err
		}
		logs, label = []*LogFile{l}, label+" in "+l.FileName
	}
	if len(logs) == 0 {
		return "This incident has no logs.", label, nil
	}
	needle := strings.ToLower(query)
	var out strings.Builder
	shown, total := 0, 0
	for _, l := range logs {
		txt, err := t.text(ctx, l)
		if err != nil {
			return "", "", err
		}
		name := t.typed(l.FileName)
		eachLine(txt.String(), func(n int, line string) bool {
			if !strings.Contains(strings.ToLower(line), needle) {
				return true
			}
			total++
			if shown < maxSearchMatches {
				shown++
				out.WriteString(cutLine(fmt.Sprintf("%s:%d: %s", name, n, line), maxSearchLineBytes))
				out.WriteByte('\n')
			}
			return true
		})
	}
	switch {
	case total == 0:
		return "No line contains the query.", label, nil
	case total > shown:
		fmt.Fprintf(&out, "(%d matching lines in all; only the first %d are shown. Narrow the query or read a range of lines.)\n", total, shown)
	}
	return out.String(), label, nil
}

// readLogLines runs read_log_lines{file, from, to}.
func (t *chatTools) readLogLines(ctx context.Context, raw json.RawMessage) (string, string, error) {
	var args struct {
		File string  `json:"file"`
		From toolInt `json:"from"`
		To   toolInt `json:"to"`
	}
	bad := ToolReadLogLines + " (bad arguments)"
	if err := decodeToolArgs(raw, &args); err != nil {
		return err.Error(), bad, nil
	}
	if strings.TrimSpace(args.File) == "" {
		return "Error: give the log's file name as file.", bad, nil
	}
	if !args.From.set || !args.To.set {
		return "Error: give the first and last line as from and to.", bad, nil
	}
	from, to := args.From.n, args.To.n
	if from < 1 || to < from {
		return "Error: lines are numbered from 1, and to cannot be before from.", bad, nil
	}
	l, msg, err := t.findLog(ctx, args.File)
	if err != nil || l == nil {
		return msg, ToolReadLogLines + " " + strings.TrimSpace(args.File) + " (not found)", err
	}
	note := ""
	if to-from+1 > maxReadLines {
		to = from + maxReadLines - 1
		note = fmt.Sprintf("(only %d lines are read at once: shown up to line %d)\n", maxReadLines, to)
	}
	txt, err := t.text(ctx, l)
	if err != nil {
		return "", "", err
	}
	var out strings.Builder
	last := 0
	eachLine(txt.String(), func(n int, line string) bool {
		last = n
		if n > to {
			return false
		}
		if n >= from {
			fmt.Fprintf(&out, "%d: %s\n", n, cutLine(line, maxReadLineBytes))
		}
		return true
	})
	if last < from {
		return fmt.Sprintf("Error: %s has only %d lines.", t.typed(l.FileName), last), ToolReadLogLines + " " + l.FileName + " (out of range)", nil
	}
	label := fmt.Sprintf("%s %s %d–%d", ToolReadLogLines, l.FileName, from, min(to, last))
	return note + out.String(), label, nil
}

// listLogs runs list_logs{}.
func (t *chatTools) listLogs(ctx context.Context, raw json.RawMessage) (string, string, error) {
	var args struct{}
	if err := decodeToolArgs(raw, &args); err != nil {
		return err.Error(), ToolListLogs + " (bad arguments)", nil
	}
	logs, err := t.loadLogs(ctx)
	if err != nil {
		return "", "", err
	}
	if len(logs) == 0 {
		return "This incident has no logs.", ToolListLogs, nil
	}
	var out strings.Builder
	for _, l := range logs {
		txt, err := t.text(ctx, l)
		if err != nil {
			return "", "", err
		}
		lines := 0
		eachLine(txt.String(), func(int, string) bool { lines++; return true })
		state := "auto-redacted (not reviewed yet)"
		if l.Redacted {
			state = "reviewed (redactions applied)"
		}
		fmt.Fprintf(&out, "%s (id %s): %s, %d lines, %s", t.typed(l.FileName), l.ID, FormatBytes(int64(len(txt.String()))), lines, state)
		if txt.Truncated() {
			fmt.Fprintf(&out, "; only the first %s can be read", FormatBytes(toolLogCap))
		}
		out.WriteByte('\n')
	}
	return out.String(), ToolListLogs, nil
}

// redactToolArgs returns a tool call's arguments as they are sent back to the model: every
// string of the JSON object passed through the gate, keeping its shape. Arguments that are not
// a JSON object are sent back as {} (providers require an object; the tool's result tells the
// model what was wrong).
func (g *RedactionGate) redactToolArgs(raw json.RawMessage) json.RawMessage {
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || v == nil || dec.More() {
		return json.RawMessage("{}")
	}
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case string:
			return g.Text(x).String()
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, e := range x {
				out[g.Text(k).String()] = walk(e)
			}
			return out
		}
		return v
	}
	b, err := json.Marshal(walk(v))
	if err != nil {
		return json.RawMessage("{}")
	}
	return b
}

// canonicalJSON returns raw re-encoded compactly with object keys sorted, so that the same JSON
// hashes the same whatever the order a provider or SDK wrote it in; raw that is not JSON becomes
// a JSON string, and nothing becomes null.
func canonicalJSON(raw json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("null")
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		b, _ := json.Marshal(string(raw))
		return b
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(string(raw))
	}
	return b
}
