package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Severity is how bad an incident is.
type Severity string

// The severities, most severe first.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
)

// Severities lists every severity, most severe first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return contains(Severities, s) }

// Status is where an incident stands in its life.
type Status string

// The statuses, in the order an incident usually passes through them.
const (
	StatusOpen          Status = "open"
	StatusTriaging      Status = "triaging"
	StatusInvestigating Status = "investigating"
	StatusResolved      Status = "resolved"
	StatusClosed        Status = "closed"
)

// Statuses lists every status in life-cycle order.
var Statuses = []Status{StatusOpen, StatusTriaging, StatusInvestigating, StatusResolved, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return contains(Statuses, s) }

// Done reports whether s is resolved or closed.
func (s Status) Done() bool { return s == StatusResolved || s == StatusClosed }

// TriageStatus is the status an incident in status s takes when triage with the AI assistant
// starts: an open incident is being triaged; any other keeps its status.
func TriageStatus(s Status) Status {
	if s == StatusOpen {
		return StatusTriaging
	}
	return s
}

// Label returns s for people: "Open", "Triaging", ….
func (s Status) Label() string { return capitalise(string(s)) }

// Label returns s for people: "Critical", "High", ….
func (s Severity) Label() string { return capitalise(string(s)) }

// Category is the technical domain of an incident; it picks the triage prompt.
type Category string

// Categories lists every category: general plus the sixteen domains of the triage prompts.
var Categories = []Category{
	"general", "linux", "windows", "network", "kubernetes", "databases", "virtualization",
	"hardware", "observability", "telephony", "security", "public_safety", "application",
	"automation", "hpe_infra", "dell_hardware", "identity",
}

var categoryLabels = map[Category]string{
	"general": "General", "linux": "Linux", "windows": "Windows", "network": "Network",
	"kubernetes": "Kubernetes", "databases": "Databases", "virtualization": "Virtualization",
	"hardware": "Hardware", "observability": "Observability", "telephony": "Telephony",
	"security": "Security", "public_safety": "Public safety", "application": "Application",
	"automation": "Automation", "hpe_infra": "HPE infrastructure", "dell_hardware": "Dell hardware",
	"identity": "Identity",
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return contains(Categories, c) }

// Label returns c for people.
func (c Category) Label() string {
	if l, ok := categoryLabels[c]; ok {
		return l
	}
	return string(c)
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Limits on incident fields.
const (
	MaxTitleRunes     = 200
	MaxDescriptionLen = 100_000
)

// Issue is an incident a team triages. The seed calls it an issue; the pages say incident.
type Issue struct {
	ID string `json:"id"`
	// Number is the incident's number, from one sequence; Ref is how people write it, INC-1234.
	Number      int64      `json:"number"`
	Ref         string     `json:"ref"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Severity    Severity   `json:"severity"`
	Category    Category   `json:"category"`
	Status      Status     `json:"status"`
	AssigneeID  *string    `json:"assignee_id"`
	CreatedBy   *string    `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ResolvedAt  *time.Time `json:"resolved_at"`
	// The times of the incident itself (see IncidentTimes); ResolvedAt is set by the status
	// change and may be corrected like them.
	StartedAt   *time.Time `json:"started_at"`
	DetectedAt  *time.Time `json:"detected_at"`
	MitigatedAt *time.Time `json:"mitigated_at"`

	// Names of the assignee and the creator, for display. Not stored on the row.
	AssigneeName  string `json:"assignee_name,omitempty"`
	CreatedByName string `json:"created_by_name,omitempty"`
}

// IssueSummary is an incident as it appears in lists and search results.
type IssueSummary struct {
	ID           string     `json:"id"`
	Number       int64      `json:"number"`
	Ref          string     `json:"ref"`
	Title        string     `json:"title"`
	Severity     Severity   `json:"severity"`
	Status       Status     `json:"status"`
	Category     Category   `json:"category"`
	AssigneeID   *string    `json:"assignee_id"`
	AssigneeName string     `json:"assignee_name,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	ResolvedAt   *time.Time `json:"resolved_at"`
	LogCount     int        `json:"log_count"`
	StepCount    int        `json:"step_count"`
	// Snippet is a search result's excerpt: text with the matched words between
	// SnippetStart and SnippetStop markers. Views escape the text and turn the markers into marks.
	Snippet string `json:"snippet,omitempty"`
}

// Markers that delimit the matched words of a search snippet. They are control characters, which
// validated titles and descriptions never contain, so they cannot be forged by a user.
const (
	SnippetStart = "\x02"
	SnippetStop  = "\x03"
)

// IssueDetail is an incident with everything it owns, or with the parts FindIssueParts loaded.
type IssueDetail struct {
	Issue            *Issue             `json:"issue"`
	LogFiles         []*LogFile         `json:"log_files"`
	ImageAttachments []*ImageAttachment `json:"image_attachments"`
	ResolutionSteps  []*FiveWhy         `json:"resolution_steps"`
	Conversations    []*Conversation    `json:"conversations"`
	Documents        []*Document        `json:"documents"`
	TimelineEvents   []*TimelineEvent   `json:"timeline_events"`
	// ReplyWhyLevel is the highest why level a chat reply of the incident reached. FindIssueParts
	// sets it when it loads the 5-Whys without the conversations, whose replies say it otherwise;
	// WhyLevel counts both.
	ReplyWhyLevel int `json:"-"`
	// Counts is how many of each part the incident has, when FindIssueParts was asked for
	// IssueTabCounts; nil otherwise.
	Counts *IssueCounts `json:"-"`
}

// IssueCounts is how many of each part an incident has, for the incident page's tabs, counted
// without loading the parts.
type IssueCounts struct {
	Whys, TimelineEvents, Messages, Logs, Images, Documents, OpenActionItems int
}

// IssueParts names parts of an incident's detail for FindIssueParts, so that a page which
// re-renders a few sections after a change loads only what those sections show.
type IssueParts uint

// The parts of an incident's detail.
const (
	// IssueFiveWhys is the 5-Whys (ResolutionSteps) with the why level the chat reached.
	IssueFiveWhys IssueParts = 1 << iota
	// IssueTimeline is the timeline (TimelineEvents).
	IssueTimeline
	// IssueLogs is the logs (LogFiles).
	IssueLogs
	// IssueImages is the images (ImageAttachments).
	IssueImages
	// IssueDocuments is the documents (Documents).
	IssueDocuments
	// IssueConversations is the chat conversations with their messages (Conversations).
	IssueConversations
	// IssueTabCounts is how many of each part the incident has (Counts).
	IssueTabCounts

	// IssueAllParts is every part: what FindIssueDetail returns.
	IssueAllParts = IssueFiveWhys | IssueTimeline | IssueLogs | IssueImages | IssueDocuments | IssueConversations
)

// NewIssue is the input to create an incident.
type NewIssue struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	Category    Category `json:"category"`
	AssigneeID  *string  `json:"assignee_id"`
	// StartedAt and DetectedAt are when the impact started and when it was noticed, when the
	// incident is recorded after the fact; nil is unknown (they can be set later).
	StartedAt  *time.Time `json:"started_at"`
	DetectedAt *time.Time `json:"detected_at"`
}

// Validate normalises n (defaults, trimmed title, newlines) and checks every field.
func (n *NewIssue) Validate() error {
	if n.Severity == "" {
		n.Severity = SeverityMedium
	}
	if n.Category == "" {
		n.Category = "general"
	}
	n.Title = strings.TrimSpace(n.Title)
	n.Description = normaliseNewlines(n.Description)
	if n.AssigneeID != nil && *n.AssigneeID == "" {
		n.AssigneeID = nil
	}
	fields := map[string]string{}
	validateTitle(n.Title, fields)
	validateDescription(n.Description, fields)
	if !n.Severity.Valid() {
		fields["severity"] = "Choose critical, high, medium or low."
	}
	if !n.Category.Valid() {
		fields["category"] = "Choose a category from the list."
	}
	for _, t := range []**time.Time{&n.StartedAt, &n.DetectedAt} {
		if *t != nil {
			u := (*t).UTC().Truncate(time.Second)
			*t = &u
		}
	}
	checkTimes(&Issue{StartedAt: n.StartedAt, DetectedAt: n.DetectedAt}, time.Now(), fields)
	return fieldsError(fields)
}

func validateTitle(title string, fields map[string]string) {
	if title == "" {
		fields["title"] = "Title is required."
	} else if !utf8.ValidString(title) {
		fields["title"] = "Title must be valid UTF-8 text."
	} else if utf8.RuneCountInString(title) > MaxTitleRunes {
		fields["title"] = "Title must be at most 200 characters."
	} else if msg := validateText(title, 4*MaxTitleRunes, false); msg != "" {
		fields["title"] = "Title: " + msg
	}
}

func validateDescription(d string, fields map[string]string) {
	if msg := validateText(d, MaxDescriptionLen, true); msg != "" {
		fields["description"] = "Description: " + msg
	}
}

func fieldsError(fields map[string]string) error {
	if len(fields) > 0 {
		return Invalid("Please correct the highlighted fields.", fields)
	}
	return nil
}

// IssueUpdate changes an incident; nil fields stay as they are. An AssigneeID pointing at ""
// clears the assignee.
type IssueUpdate struct {
	Title       *string   `json:"title"`
	Description *string   `json:"description"`
	Severity    *Severity `json:"severity"`
	Category    *Category `json:"category"`
	Status      *Status   `json:"status"`
	AssigneeID  *string   `json:"assignee_id"`
	// The incident's times (IncidentTimes); a field left out stays as it is.
	StartedAt   TimeField `json:"started_at"`
	DetectedAt  TimeField `json:"detected_at"`
	MitigatedAt TimeField `json:"mitigated_at"`
	ResolvedAt  TimeField `json:"resolved_at"`
}

// Empty reports whether u changes nothing.
func (u *IssueUpdate) Empty() bool {
	return u.Title == nil && u.Description == nil && u.Severity == nil && u.Category == nil &&
		u.Status == nil && u.AssigneeID == nil && !u.StartedAt.Set && !u.DetectedAt.Set &&
		!u.MitigatedAt.Set && !u.ResolvedAt.Set
}

// times returns the time fields of u by field name.
func (u *IssueUpdate) times() map[string]TimeField {
	return map[string]TimeField{"started_at": u.StartedAt, "detected_at": u.DetectedAt,
		"mitigated_at": u.MitigatedAt, "resolved_at": u.ResolvedAt}
}

// Validate normalises u and checks the fields it sets.
func (u *IssueUpdate) Validate() error {
	fields := map[string]string{}
	if u.Title != nil {
		t := strings.TrimSpace(*u.Title)
		u.Title = &t
		validateTitle(t, fields)
	}
	if u.Description != nil {
		d := normaliseNewlines(*u.Description)
		u.Description = &d
		validateDescription(d, fields)
	}
	if u.Severity != nil && !u.Severity.Valid() {
		fields["severity"] = "Choose critical, high, medium or low."
	}
	if u.Category != nil && !u.Category.Valid() {
		fields["category"] = "Choose a category from the list."
	}
	if u.Status != nil && !u.Status.Valid() {
		fields["status"] = "Choose open, triaging, investigating, resolved or closed."
	}
	return fieldsError(fields)
}

// FieldChange is what a change did to one field, as the audit records it.
type FieldChange struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// IssueEvent is a timeline event that a change to an incident records.
type IssueEvent struct {
	Type        string
	Description string
	Metadata    map[string]any
}

// IssueChange is what an update does to an incident, as ApplyIssueUpdate decides it: the
// incident after the update, the changed fields for the audit entry and the timeline events to
// record, in order.
type IssueChange struct {
	Issue   Issue
	Changes map[string]any
	Events  []IssueEvent
}

// Changed reports whether the update changes anything. An update that changes nothing is not
// stored, audited or recorded, and leaves updated_at alone.
func (c *IssueChange) Changed() bool { return len(c.Changes) > 0 }

// ApplyIssueUpdate decides what the validated update u does to the incident old at time now.
// assignee is the user that u.AssigneeID names, looked up by the caller; it is needed only when
// u assigns someone. old is not modified.
//
// Every changed field goes into Changes: {from, to}, except the description, whose text the
// incident keeps and whose lengths the audit notes. Severity, status and assignee changes are
// recorded on the timeline, in that order.
//
// resolved_at is set to now when the status becomes resolved, or closed without having been
// resolved, so that every done incident has one; closing a resolved incident keeps it, and
// reopening (back to open, triaging or investigating) clears it.
func ApplyIssueUpdate(old *Issue, u IssueUpdate, assignee *User, now time.Time) (IssueChange, error) {
	next := *old
	c := IssueChange{Changes: map[string]any{}}

	if u.Title != nil && *u.Title != old.Title {
		c.Changes["title"] = FieldChange{old.Title, *u.Title}
		next.Title = *u.Title
	}
	if u.Description != nil && *u.Description != old.Description {
		c.Changes["description"] = map[string]any{"changed": true, "from_length": len(old.Description), "to_length": len(*u.Description)}
		next.Description = *u.Description
	}
	if u.Category != nil && *u.Category != old.Category {
		c.Changes["category"] = FieldChange{old.Category, *u.Category}
		next.Category = *u.Category
	}
	if u.Severity != nil && *u.Severity != old.Severity {
		c.Changes["severity"] = FieldChange{old.Severity, *u.Severity}
		next.Severity = *u.Severity
		c.Events = append(c.Events, IssueEvent{EventSeverityChanged,
			fmt.Sprintf("Severity changed from %s to %s", old.Severity.Label(), next.Severity.Label()),
			map[string]any{"from": old.Severity, "to": next.Severity}})
	}
	if u.Status != nil && *u.Status != old.Status {
		c.Changes["status"] = FieldChange{old.Status, *u.Status}
		next.Status = *u.Status
		next.ResolvedAt = resolvedAt(old, next.Status, now)
		if !equalTimePtr(old.ResolvedAt, next.ResolvedAt) {
			c.Changes["resolved_at"] = FieldChange{auditTime(old.ResolvedAt), auditTime(next.ResolvedAt)}
		}
		c.Events = append(c.Events, IssueEvent{EventStatusChanged,
			fmt.Sprintf("Status changed from %s to %s", old.Status.Label(), next.Status.Label()),
			map[string]any{"from": old.Status, "to": next.Status}})
	}
	if err := applyTimes(old, &next, u, now, &c); err != nil {
		return IssueChange{}, err
	}
	if u.AssigneeID != nil {
		switch {
		case *u.AssigneeID == "" && old.AssigneeID != nil:
			next.AssigneeID, next.AssigneeName = nil, ""
			c.Changes["assignee_id"] = FieldChange{*old.AssigneeID, nil}
			c.Events = append(c.Events, IssueEvent{EventAssigned, "Unassigned",
				map[string]any{"from": *old.AssigneeID, "to": nil}})
		case *u.AssigneeID == "":
		case assignee == nil:
			return IssueChange{}, errors.New("apply incident update: the assignee was not looked up")
		case old.AssigneeID == nil || *old.AssigneeID != assignee.ID:
			id := assignee.ID
			next.AssigneeID, next.AssigneeName = &id, assignee.Name()
			c.Changes["assignee_id"] = FieldChange{old.AssigneeID, assignee.ID}
			c.Events = append(c.Events, IssueEvent{EventAssigned, "Assigned to " + assignee.Name(),
				map[string]any{"from": old.AssigneeID, "to": assignee.ID, "to_name": assignee.Name()}})
		}
	}
	if c.Changed() {
		next.UpdatedAt = now
	}
	c.Issue = next
	return c, nil
}

// applyTimes sets the times u gives on next (whose status is already the new one), checks them
// and records what changed in c.
func applyTimes(old, next *Issue, u IssueUpdate, now time.Time, c *IssueChange) error {
	fields := map[string]string{}
	set := u.times()
	for _, it := range IncidentTimes {
		f := set[it.Field]
		if !f.Set {
			continue
		}
		if it.Field == "resolved_at" {
			switch {
			case !next.Status.Done() && f.Time != nil:
				fields[it.Field] = "Only a resolved or closed incident has a resolved time."
				continue
			case next.Status.Done() && f.Time == nil:
				fields[it.Field] = "A resolved or closed incident keeps its resolved time: correct it instead."
				continue
			case !next.Status.Done():
				continue
			}
		}
		next.setTime(it.Field, f.Time)
	}
	checkTimes(next, now, fields)
	if err := fieldsError(fields); err != nil {
		return err
	}
	var said []string
	meta := map[string]any{}
	for _, it := range IncidentTimes {
		before, after := old.Time(it.Field), next.Time(it.Field)
		if equalTimePtr(before, after) {
			continue
		}
		if _, byStatus := c.Changes["resolved_at"]; it.Field == "resolved_at" && byStatus && !set[it.Field].Set {
			continue // the status change recorded it already
		}
		c.Changes[it.Field] = FieldChange{auditTime(before), auditTime(after)}
		meta[it.Field] = auditTime(after)
		if after == nil {
			said = append(said, it.Event+" cleared")
		} else {
			said = append(said, it.Event+" set to "+after.UTC().Format("2006-01-02 15:04 UTC"))
		}
	}
	if len(said) > 0 {
		c.Events = append(c.Events, IssueEvent{EventTimesChanged, strings.Join(said, "; "), meta})
	}
	return nil
}

// resolvedAt is the resolved_at of the incident old once its status becomes to.
func resolvedAt(old *Issue, to Status, now time.Time) *time.Time {
	switch {
	case to == StatusResolved && !old.Status.Done():
		return &now
	case to.Done() && old.ResolvedAt == nil:
		return &now
	case !to.Done():
		return nil
	}
	return old.ResolvedAt
}

// equalTimePtr reports whether a and b are both nil or the same instant.
func equalTimePtr(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// auditTime formats t for audit details: RFC 3339 in UTC, or nil.
func auditTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// IssueFilter selects and orders incidents for a list.
type IssueFilter struct {
	Status     []Status
	Severity   []Severity
	Category   []Category
	AssigneeID *string // "" selects unassigned incidents
	// Query is text the incidents must contain: words of the title or the description (as the
	// full-text search reads them), or an incident's human id (INC-1234). Empty means any.
	Query   string
	Sort    string // one of IssueSortKeys
	Desc    bool
	Page    int // from 1
	PerPage int
}

// IssueSortKeys are the orders an incident list can be sorted in: by last update (the default),
// creation, human id (ref), title, severity (desc: critical first) and status (asc: in the order
// of an incident's life, open first).
var IssueSortKeys = []string{"updated_at", "created_at", "ref", "title", "severity", "status"}

// Pagination defaults and limits.
const (
	DefaultPerPage = 50
	MaxPerPage     = 200
)

// Normalise fills defaults and clamps paging.
func (f *IssueFilter) Normalise() {
	if !contains(IssueSortKeys, f.Sort) {
		f.Sort = "updated_at"
	}
	f.Page, f.PerPage = NormalisePage(f.Page, f.PerPage)
}

// NormalisePage clamps a page number and page size.
func NormalisePage(page, perPage int) (int, int) {
	if page < 1 {
		page = 1
	}
	if page > 1_000_000 {
		page = 1_000_000
	}
	if perPage <= 0 {
		perPage = DefaultPerPage
	}
	if perPage > MaxPerPage {
		perPage = MaxPerPage
	}
	return page, perPage
}

// MaxSearchQueryLen bounds a search query; longer ones are cut.
const MaxSearchQueryLen = 500

// MaxListTotal is the most incidents a list counts: a total equal to it means "at least that
// many" (shown as 10,000+), so that counting costs at most that many index entries however many
// incidents match.
const MaxListTotal = 10000

// MaxSearchTotal is the most matches a search counts and pages through: a total equal to it
// means "at least this many".
const MaxSearchTotal = 1000

// Dashboard holds the figures of the dashboard page.
type Dashboard struct {
	ByStatus       map[Status]int
	BySeverity     map[Severity]int // of incidents not resolved or closed
	OpenCritical   []*IssueSummary
	ResolvedLast7  int
	Mine           []*IssueSummary
	RecentActivity []*TimelineEvent
}

// IssueService stores incidents, their 5-Whys and their timelines. Each change is audited and,
// where one applies, recorded on the timeline in the same transaction.
type IssueService interface {
	CreateIssue(ctx context.Context, n NewIssue) (*Issue, error)
	FindIssueByID(ctx context.Context, id string) (*Issue, error)
	// ResolveIssueRef returns the id of the incident ref names: a uuid as it is, or the
	// incident's human id (INC-1234).
	ResolveIssueRef(ctx context.Context, ref string) (string, error)
	FindIssueDetail(ctx context.Context, id string) (*IssueDetail, error)
	// FindIssueParts returns an incident with only the parts that parts names; the others are
	// nil. Access is checked as for FindIssueDetail.
	FindIssueParts(ctx context.Context, id string, parts IssueParts) (*IssueDetail, error)
	FindIssues(ctx context.Context, f IssueFilter) ([]*IssueSummary, int, error)
	SearchIssues(ctx context.Context, query string, page, perPage int) ([]*IssueSummary, int, error)
	UpdateIssue(ctx context.Context, id string, u IssueUpdate) (*Issue, error)
	DeleteIssue(ctx context.Context, id string) error
	Dashboard(ctx context.Context) (*Dashboard, error)

	AddFiveWhy(ctx context.Context, issueID string, n NewFiveWhy) (*FiveWhy, error)
	UpdateFiveWhy(ctx context.Context, id string, u FiveWhyUpdate) (*FiveWhy, error)
	FindFiveWhys(ctx context.Context, issueID string) ([]*FiveWhy, error)

	AddTimelineEvent(ctx context.Context, issueID string, n NewTimelineEvent) (*TimelineEvent, error)
	FindTimelineEvents(ctx context.Context, issueID string) ([]*TimelineEvent, error)
}
