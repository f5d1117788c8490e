package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// Ensure ActionItemStore implements the domain port.
var _ domain.ActionItemStore = (*ActionItemStore)(nil)

// ActionItemStore keeps action items. Reading needs a viewer, changing a responder; each change
// is audited in its transaction.
type ActionItemStore struct {
	db *DB
}

// NewActionItemStore returns an ActionItemStore over db.
func NewActionItemStore(db *DB) *ActionItemStore {
	return &ActionItemStore{db: db}
}

// actionSelect selects the columns scanActionItem reads: an item with its owner's name.
const actionSelect = `
	SELECT a.id, a.issue_id, a.action, a.owner_id, COALESCE(NULLIF(u.display_name, ''), u.username, ''),
	       COALESCE(to_char(a.due_date, 'YYYY-MM-DD'), ''), a.priority, a.status, a.created_by, a.created_at, a.updated_at
	FROM action_items a LEFT JOIN users u ON u.id = a.owner_id`

func scanActionItem(row pgx.Row) (*domain.ActionItem, error) {
	var a domain.ActionItem
	if err := row.Scan(&a.ID, &a.IssueID, &a.Action, &a.OwnerID, &a.OwnerName, &a.DueDate, &a.Priority, &a.Status,
		&a.CreatedBy, &a.CreatedAt, &a.UpdatedAt); err != nil {
		return nil, err
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, nil
}

func findActionItem(ctx context.Context, tx *Tx, id string, forUpdate bool) (*domain.ActionItem, error) {
	aid, ok := parseID(id)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Action item not found.")
	}
	q := actionSelect + ` WHERE a.id = $1`
	if forUpdate {
		q += ` FOR UPDATE OF a`
	}
	a, err := scanActionItem(tx.QueryRow(ctx, q, aid))
	if err != nil {
		return nil, notFound(err, "Action item")
	}
	return a, nil
}

// checkOwner returns EINVALID on the field "owner_id" unless id names an enabled user.
func checkOwner(ctx context.Context, tx *Tx, id string) (string, error) {
	u, err := findUserByID(ctx, tx, id, false)
	if err != nil || u.Disabled {
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return "", err
		}
		return "", domain.Invalid("Please correct the highlighted fields.", map[string]string{"owner_id": "Choose an enabled user."})
	}
	return u.ID, nil
}

// dueDate returns a due date for a date column: nil for "".
func dueDate(d string) *string {
	if d == "" {
		return nil
	}
	return &d
}

// CreateActionItem adds an action item to an incident, audited in the same transaction.
func (s *ActionItemStore) CreateActionItem(ctx context.Context, issueID string, n domain.NewActionItem) (*domain.ActionItem, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	iid, err := lockIssue(ctx, tx, issueID)
	if err != nil {
		return nil, err
	}
	var owner *string
	if n.OwnerID != nil {
		oid, err := checkOwner(ctx, tx, *n.OwnerID)
		if err != nil {
			return nil, err
		}
		owner = &oid
	}
	id := newID()
	if _, err := tx.Exec(ctx, `
		INSERT INTO action_items (id, issue_id, action, owner_id, due_date, priority, status, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
		id, iid, n.Action, owner, dueDate(n.DueDate), n.Priority, n.Status, actorIDPtr(ctx), tx.now); err != nil {
		return nil, fmt.Errorf("create action item: %w", formatError(err))
	}
	if err := touchIssue(ctx, tx, iid); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, "action_item.create", "action_item", id, map[string]any{
		"issue_id": iid, "action": cutRunes(n.Action, 200), "owner_id": owner, "due_date": n.DueDate,
		"priority": n.Priority, "status": n.Status,
	}); err != nil {
		return nil, err
	}
	a, err := findActionItem(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("create action item: %w", err)
	}
	return a, nil
}

// UpdateActionItem changes the fields u sets, audited with what changed.
func (s *ActionItemStore) UpdateActionItem(ctx context.Context, id string, u domain.ActionItemUpdate) (*domain.ActionItem, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	a, err := findActionItem(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	changes := map[string]change{}
	if u.Action != nil && *u.Action != a.Action {
		changes["action"] = change{cutRunes(a.Action, 200), cutRunes(*u.Action, 200)}
		a.Action = *u.Action
	}
	if u.OwnerID != nil {
		var next *string
		if *u.OwnerID != "" {
			oid, err := checkOwner(ctx, tx, *u.OwnerID)
			if err != nil {
				return nil, err
			}
			next = &oid
		}
		if deref(next) != deref(a.OwnerID) {
			changes["owner_id"] = change{a.OwnerID, next}
			a.OwnerID = next
		}
	}
	if u.DueDate != nil && *u.DueDate != a.DueDate {
		changes["due_date"] = change{a.DueDate, *u.DueDate}
		a.DueDate = *u.DueDate
	}
	if u.Priority != nil && *u.Priority != a.Priority {
		changes["priority"] = change{a.Priority, *u.Priority}
		a.Priority = *u.Priority
	}
	if u.Status != nil && *u.Status != a.Status {
		changes["status"] = change{a.Status, *u.Status}
		a.Status = *u.Status
	}
	if len(changes) == 0 {
		return a, nil
	}
	if _, err := tx.Exec(ctx, `
		UPDATE action_items SET action = $2, owner_id = $3, due_date = $4, priority = $5, status = $6, updated_at = $7
		WHERE id = $1`, a.ID, a.Action, a.OwnerID, dueDate(a.DueDate), a.Priority, a.Status, tx.now); err != nil {
		return nil, fmt.Errorf("update action item: %w", formatError(err))
	}
	if err := touchIssue(ctx, tx, a.IssueID); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, "action_item.update", "action_item", a.ID, map[string]any{
		"issue_id": a.IssueID, "changes": changes,
	}); err != nil {
		return nil, err
	}
	a, err = findActionItem(ctx, tx, a.ID, false)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("update action item: %w", err)
	}
	return a, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// DeleteActionItem deletes an action item, audited, and returns it.
func (s *ActionItemStore) DeleteActionItem(ctx context.Context, id string) (*domain.ActionItem, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	a, err := findActionItem(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM action_items WHERE id = $1`, a.ID); err != nil {
		return nil, fmt.Errorf("delete action item: %w", err)
	}
	if err := touchIssue(ctx, tx, a.IssueID); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, "action_item.delete", "action_item", a.ID, map[string]any{
		"issue_id": a.IssueID, "action": cutRunes(a.Action, 200),
	}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("delete action item: %w", err)
	}
	return a, nil
}

// FindActionItem returns an action item.
func (s *ActionItemStore) FindActionItem(ctx context.Context, id string) (*domain.ActionItem, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return findActionItem(ctx, tx, id, false)
}

// FindActionItems returns an incident's action items, most urgent first, then oldest first.
func (s *ActionItemStore) FindActionItems(ctx context.Context, issueID string) ([]*domain.ActionItem, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	i, err := findIssueByID(ctx, tx, issueID, false)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, actionSelect+` WHERE a.issue_id = $1 ORDER BY a.priority, a.created_at, a.id`, i.ID)
	if err != nil {
		return nil, fmt.Errorf("find action items: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.ActionItem, error) { return scanActionItem(r) })
}
