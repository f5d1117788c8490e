package domain

import (
	"strconv"
	"strings"
)

// AuditCSVHeader is the header row of an audit log export.
var AuditCSVHeader = []string{"seq", "time", "actor_id", "actor", "action", "entity_type", "entity_id", "summary", "details", "entry_hash"}

// AuditCSVRecord returns the cells of e's row in an audit log export, each made safe for a
// spreadsheet with SpreadsheetSafe.
func AuditCSVRecord(e *AuditEntry) []string {
	actorID, actor := "", "system"
	if e.ActorID != nil {
		actorID, actor = *e.ActorID, e.ActorName
	}
	row := []string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(AuditTimeFormat), actorID, actor, e.Action,
		e.EntityType, e.EntityID, AuditSentence(e), string(CanonicalDetails(e.Details)), e.EntryHash}
	for i, c := range row {
		row[i] = SpreadsheetSafe(c)
	}
	return row
}

// SpreadsheetSafe guards a cell of an exported table against formula injection: text starting
// with = + - @, a tab or a carriage return is what spreadsheets run as a formula, so it gets a
// leading apostrophe and is shown as text.
func SpreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
