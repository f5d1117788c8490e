package domain

import (
	"context"
	"strings"
	"time"
)

// Priority is how urgent an action item is, P0 most.
type Priority string

// Priorities lists every priority, most urgent first.
var Priorities = []Priority{"P0", "P1", "P2", "P3"}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return contains(Priorities, p) }

// ActionStatus is where an action item stands.
type ActionStatus string

// The action item statuses.
const (
	ActionOpen       ActionStatus = "open"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
)

// ActionStatuses lists every action item status in order.
var ActionStatuses = []ActionStatus{ActionOpen, ActionInProgress, ActionDone}

// Valid reports whether s is a known status.
func (s ActionStatus) Valid() bool { return contains(ActionStatuses, s) }

// Label returns s for people: "Open", "In progress", "Done".
func (s ActionStatus) Label() string {
	if s == ActionInProgress {
		return "In progress"
	}
	return capitalise(string(s))
}

// MaxActionLen bounds an action item's text.
const MaxActionLen = 2_000

// ActionItem is a follow-up an incident's review decides on; the documents list them.
type ActionItem struct {
	ID        string       `json:"id"`
	IssueID   string       `json:"issue_id"`
	Action    string       `json:"action"`
	OwnerID   *string      `json:"owner_id"`
	OwnerName string       `json:"owner_name,omitempty"`
	DueDate   string       `json:"due_date"` // YYYY-MM-DD, or ""
	Priority  Priority     `json:"priority"`
	Status    ActionStatus `json:"status"`
	CreatedBy *string      `json:"created_by"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// NewActionItem is the input to add an action item.
type NewActionItem struct {
	Action   string       `json:"action"`
	OwnerID  *string      `json:"owner_id"`
	DueDate  string       `json:"due_date"`
	Priority Priority     `json:"priority"`
	Status   ActionStatus `json:"status"`
}

// Validate normalises n (priority P2 and status open by default) and checks every field.
func (n *NewActionItem) Validate() error {
	if n.Priority == "" {
		n.Priority = "P2"
	}
	if n.Status == "" {
		n.Status = ActionOpen
	}
	if n.OwnerID != nil && strings.TrimSpace(*n.OwnerID) == "" {
		n.OwnerID = nil
	}
	n.Action = strings.TrimSpace(normaliseNewlines(n.Action))
	n.DueDate = strings.TrimSpace(n.DueDate)
	fields := map[string]string{}
	validateAction(n.Action, fields)
	validateDue(n.DueDate, fields)
	if !n.Priority.Valid() {
		fields["priority"] = "Choose P0, P1, P2 or P3."
	}
	if !n.Status.Valid() {
		fields["status"] = "Choose open, in progress or done."
	}
	return fieldsError(fields)
}

// ActionItemUpdate changes an action item; nil fields stay as they are. An OwnerID pointing at
// "" clears the owner, a DueDate pointing at "" the due date.
type ActionItemUpdate struct {
	Action   *string       `json:"action"`
	OwnerID  *string       `json:"owner_id"`
	DueDate  *string       `json:"due_date"`
	Priority *Priority     `json:"priority"`
	Status   *ActionStatus `json:"status"`
}

// Validate normalises u and checks the fields it sets.
func (u *ActionItemUpdate) Validate() error {
	fields := map[string]string{}
	if u.Action != nil {
		a := strings.TrimSpace(normaliseNewlines(*u.Action))
		u.Action = &a
		validateAction(a, fields)
	}
	if u.DueDate != nil {
		d := strings.TrimSpace(*u.DueDate)
		u.DueDate = &d
		validateDue(d, fields)
	}
	if u.OwnerID != nil {
		o := strings.TrimSpace(*u.OwnerID)
		u.OwnerID = &o
	}
	if u.Priority != nil && !u.Priority.Valid() {
		fields["priority"] = "Choose P0, P1, P2 or P3."
	}
	if u.Status != nil && !u.Status.Valid() {
		fields["status"] = "Choose open, in progress or done."
	}
	return fieldsError(fields)
}

func validateAction(a string, fields map[string]string) {
	if a == "" {
		fields["action"] = "Describe the action."
	} else if msg := validateText(a, MaxActionLen, true); msg != "" {
		fields["action"] = "Action: " + msg
	}
}

func validateDue(d string, fields map[string]string) {
	if d == "" {
		return
	}
	if t, err := time.Parse(time.DateOnly, d); err != nil || t.Year() < 2000 || t.Year() > 2999 {
		fields["due_date"] = "Give a date as YYYY-MM-DD."
	}
}

// ActionItemStore keeps action items. Reading needs a viewer, changing a responder; each change
// is audited in its transaction. An owner must be an enabled user.
type ActionItemStore interface {
	CreateActionItem(ctx context.Context, issueID string, n NewActionItem) (*ActionItem, error)
	UpdateActionItem(ctx context.Context, id string, u ActionItemUpdate) (*ActionItem, error)
	// DeleteActionItem deletes an item and returns it.
	DeleteActionItem(ctx context.Context, id string) (*ActionItem, error)
	FindActionItem(ctx context.Context, id string) (*ActionItem, error)
	// FindActionItems returns an incident's items by priority, then age.
	FindActionItems(ctx context.Context, issueID string) ([]*ActionItem, error)
}

// AddActionItem adds an action item to an incident.
func (s *DocumentService) AddActionItem(ctx context.Context, issueID string, n NewActionItem) (*ActionItem, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	return s.actions.CreateActionItem(ctx, issueID, n)
}

// UpdateActionItem changes an action item.
func (s *DocumentService) UpdateActionItem(ctx context.Context, id string, u ActionItemUpdate) (*ActionItem, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	return s.actions.UpdateActionItem(ctx, id, u)
}

// DeleteActionItem deletes an action item and returns it.
func (s *DocumentService) DeleteActionItem(ctx context.Context, id string) (*ActionItem, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	return s.actions.DeleteActionItem(ctx, id)
}

// FindActionItem returns an action item.
func (s *DocumentService) FindActionItem(ctx context.Context, id string) (*ActionItem, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	return s.actions.FindActionItem(ctx, id)
}

// ActionItems returns an incident's action items.
func (s *DocumentService) ActionItems(ctx context.Context, issueID string) ([]*ActionItem, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	return s.actions.FindActionItems(ctx, issueID)
}
