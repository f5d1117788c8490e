package domain

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Timeline event types.
const (
	EventIssueCreated        = "issue_created"
	EventStatusChanged       = "status_changed"
	EventTimesChanged        = "times_changed"
	EventSeverityChanged     = "severity_changed"
	EventAssigned            = "assigned"
	EventTriageStarted       = "triage_started"
	EventLogUploaded         = "log_uploaded"
	EventImageUploaded       = "image_uploaded"
	EventPIIRedacted         = "pii_redacted"
	EventWhyLevelAdvanced    = "why_level_advanced"
	EventRootCauseIdentified = "root_cause_identified"
	EventRCAGenerated        = "rca_generated"
	EventPostmortemGenerated = "postmortem_generated"
	EventDocumentExported    = "document_exported"
	EventNote                = "note"
	// The types a person records besides a note.
	EventAction        = "action"
	EventDecision      = "decision"
	EventObservation   = "observation"
	EventCommunication = "communication"
)

// TimelineEventTypes lists every event type with its label.
var TimelineEventTypes = []struct{ Type, Label string }{
	{EventIssueCreated, "Incident created"},
	{EventStatusChanged, "Status changed"},
	{EventTimesChanged, "Times changed"},
	{EventSeverityChanged, "Severity changed"},
	{EventAssigned, "Assigned"},
	{EventTriageStarted, "Triage started"},
	{EventLogUploaded, "Log file uploaded"},
	{EventImageUploaded, "Image uploaded"},
	{EventPIIRedacted, "PII redacted"},
	{EventWhyLevelAdvanced, "Why level advanced"},
	{EventRootCauseIdentified, "Root cause identified"},
	{EventRCAGenerated, "RCA document generated"},
	{EventPostmortemGenerated, "Post-mortem generated"},
	{EventDocumentExported, "Document exported"},
	{EventNote, "Note"},
	{EventAction, "Action taken"},
	{EventDecision, "Decision"},
	{EventObservation, "Observation"},
	{EventCommunication, "Communication"},
}

// PersonEventTypes are the event types people record. Every other type is the portal's own
// record of what happened (a status change, an upload, a root cause found), written only by the
// portal, so that a document's metrics cannot be forged from the timeline.
var PersonEventTypes = []string{EventNote, EventAction, EventDecision, EventObservation, EventCommunication}

// EventLabel returns the label of an event type, or the type itself when it is unknown.
func EventLabel(t string) string {
	for _, e := range TimelineEventTypes {
		if e.Type == t {
			return e.Label
		}
	}
	return t
}

// TimelineEvent is one dated entry of an incident's timeline. Events are appended, never edited.
type TimelineEvent struct {
	ID          string          `json:"id"`
	IssueID     string          `json:"issue_id"`
	EventType   string          `json:"event_type"`
	Description string          `json:"description"`
	Metadata    json.RawMessage `json:"metadata"`
	ActorID     *string         `json:"actor_id"`
	ActorName   string          `json:"actor_name,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	// OccurredAt is when a person says it happened, when that is not when they recorded it.
	OccurredAt *time.Time `json:"occurred_at"`
	// IssueTitle is filled where events of several incidents are listed together.
	IssueTitle string `json:"issue_title,omitempty"`
	// IssueRef is the incident's human id (INC-12), filled with IssueTitle.
	IssueRef string `json:"issue_ref,omitempty"`
}

// At is when the event happened: the time a person gave it, else when it was recorded.
func (e *TimelineEvent) At() time.Time {
	if e.OccurredAt != nil {
		return *e.OccurredAt
	}
	return e.CreatedAt
}

// Limits on timeline events.
const (
	MaxEventDescriptionLen = 2_000
	MaxEventMetadataLen    = 10_240
)

// NewTimelineEvent is the input to add an event.
type NewTimelineEvent struct {
	EventType   string          `json:"event_type"`
	Description string          `json:"description"`
	Metadata    json.RawMessage `json:"metadata"`
	// OccurredAt is when it happened, if not now (CheckOccurredAt).
	OccurredAt *time.Time `json:"occurred_at"`
}

// Validate normalises n and checks every field. Metadata must be a JSON object of at most 10 KB;
// it defaults to {}.
func (n *NewTimelineEvent) Validate() error {
	n.Description = strings.TrimSpace(normaliseNewlines(n.Description))
	fields := map[string]string{}
	if !slices.Contains(PersonEventTypes, n.EventType) {
		fields["event_type"] = "Choose note, action, decision, observation or communication: the portal records the other events itself."
	}
	if n.Description == "" {
		fields["description"] = "Description is required."
	} else if msg := validateText(n.Description, MaxEventDescriptionLen, true); msg != "" {
		fields["description"] = "Description: " + msg
	}
	if len(bytes.TrimSpace(n.Metadata)) == 0 || string(bytes.TrimSpace(n.Metadata)) == "null" {
		n.Metadata = json.RawMessage("{}")
	}
	if len(n.Metadata) > MaxEventMetadataLen {
		fields["metadata"] = "Metadata must be at most " + FormatBytes(MaxEventMetadataLen) + "."
	} else if !json.Valid(n.Metadata) || bytes.TrimSpace(n.Metadata)[0] != '{' {
		fields["metadata"] = "Metadata must be a JSON object."
	}
	return fieldsError(fields)
}
