package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// Ensure IssueService implements the domain port.
var _ domain.IssueService = (*IssueService)(nil)

// IssueService stores incidents, their 5-Whys and their timelines. Reading needs a viewer,
// changing a responder. Every change is audited, and recorded on the incident's timeline where
// an event type applies, in the transaction that makes it.
type IssueService struct {
	db *DB
}

// NewIssueService returns an IssueService over db.
func NewIssueService(db *DB) *IssueService {
	return &IssueService{db: db}
}

// issueSelect selects the columns scanIssue reads: the issue with its assignee's and creator's names.
const issueSelect = `
	SELECT i.id, i.number, i.title, i.description, i.severity, i.category, i.status, i.assignee_id, i.created_by,
	       i.created_at, i.updated_at, i.resolved_at, i.started_at, i.detected_at, i.mitigated_at,
	       COALESCE(NULLIF(a.display_name, ''), a.username, ''), COALESCE(NULLIF(c.display_name, ''), c.username, '')
	FROM issues i
	LEFT JOIN users a ON a.id = i.assignee_id
	LEFT JOIN users c ON c.id = i.created_by`

// scanIssue reads a row of issueSelect.
func scanIssue(row pgx.Row) (*domain.Issue, error) {
	var i domain.Issue
	if err := row.Scan(&i.ID, &i.Number, &i.Title, &i.Description, &i.Severity, &i.Category, &i.Status, &i.AssigneeID,
		&i.CreatedBy, &i.CreatedAt, &i.UpdatedAt, &i.ResolvedAt, &i.StartedAt, &i.DetectedAt, &i.MitigatedAt,
		&i.AssigneeName, &i.CreatedByName); err != nil {
		return nil, err
	}
	i.Ref = domain.IssueRef(i.Number)
	i.CreatedAt, i.UpdatedAt, i.ResolvedAt = i.CreatedAt.UTC(), i.UpdatedAt.UTC(), utcPtr(i.ResolvedAt)
	i.StartedAt, i.DetectedAt, i.MitigatedAt = utcPtr(i.StartedAt), utcPtr(i.DetectedAt), utcPtr(i.MitigatedAt)
	return &i, nil
}

// ResolveIssueRef returns the id of the incident that ref names: its uuid (returned as it is)
// or its human id, INC-1234. An unknown human id is ENOTFOUND.
func (s *IssueService) ResolveIssueRef(ctx context.Context, ref string) (string, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return "", err
	}
	n, ok := domain.ParseIssueRef(ref)
	if !ok {
		return ref, nil
	}
	var id string
	if err := s.db.Pool.QueryRow(ctx, `SELECT id::text FROM issues WHERE number = $1`, n).Scan(&id); err != nil {
		return "", notFound(err, "Incident")
	}
	return id, nil
}

// findIssueByID returns an incident, its row locked for update when forUpdate is set.
func findIssueByID(ctx context.Context, tx *Tx, id string, forUpdate bool) (*domain.Issue, error) {
	iid, ok := parseID(id)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Incident not found.")
	}
	q := issueSelect + ` WHERE i.id = $1`
	if forUpdate {
		q += ` FOR UPDATE OF i`
	}
	i, err := scanIssue(tx.QueryRow(ctx, q, iid))
	if err != nil {
		return nil, notFound(err, "Incident")
	}
	return i, nil
}

// lockIssue locks an incident's row until tx ends and returns its canonical id. Changes to an
// incident's 5-Whys and timeline lock it first, so that they are ordered.
func lockIssue(ctx context.Context, tx *Tx, id string) (string, error) {
	iid, ok := parseID(id)
	if !ok {
		return "", domain.Errorf(domain.ENOTFOUND, "Incident not found.")
	}
	if err := tx.QueryRow(ctx, `SELECT id FROM issues WHERE id = $1 FOR UPDATE`, iid).Scan(&iid); err != nil {
		return "", notFound(err, "Incident")
	}
	return iid, nil
}

// touchIssue sets an incident's updated_at to the transaction's time.
func touchIssue(ctx context.Context, tx *Tx, id string) error {
	if _, err := tx.Exec(ctx, `UPDATE issues SET updated_at = $2 WHERE id = $1`, id, tx.now); err != nil {
		return fmt.Errorf("touch incident: %w", err)
	}
	return nil
}

// actorName returns the name of the context's actor for timeline descriptions.
func actorName(ctx context.Context) string {
	if u := domain.UserFromContext(ctx); u != nil {
		return u.Name()
	}
	return "System"
}

// actorIDPtr returns the context's user id, or nil for a system context.
func actorIDPtr(ctx context.Context) *string {
	if id := domain.UserIDFromContext(ctx); id != "" {
		return &id
	}
	return nil
}

// findAssignee returns the enabled user an incident may be assigned to, or EINVALID on the field
// "assignee_id".
func findAssignee(ctx context.Context, tx *Tx, id string) (*domain.User, error) {
	invalid := domain.Invalid("Please correct the highlighted fields.",
		map[string]string{"assignee_id": "Choose an enabled user."})
	u, err := findUserByID(ctx, tx, id, false)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, invalid
	} else if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, invalid
	}
	return u, nil
}

// CreateIssue creates an open incident created by the context's actor. A missing severity or
// category takes the team's default from the settings.
func (s *IssueService) CreateIssue(ctx context.Context, n domain.NewIssue) (*domain.Issue, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)

	if n.Severity == "" || n.Category == "" {
		settings, err := getSettings(ctx, tx)
		if err != nil {
			return nil, err
		}
		if n.Severity == "" {
			n.Severity = settings.DefaultSeverity
		}
		if n.Category == "" {
			n.Category = settings.DefaultCategory
		}
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	i := &domain.Issue{
		ID:          newID(),
		Title:       n.Title,
		Description: n.Description,
		Severity:    n.Severity,
		Category:    n.Category,
		Status:      domain.StatusOpen,
		StartedAt:   n.StartedAt,
		DetectedAt:  n.DetectedAt,
		CreatedBy:   actorIDPtr(ctx),
		CreatedAt:   tx.now,
		UpdatedAt:   tx.now,
	}
	if n.AssigneeID != nil {
		a, err := findAssignee(ctx, tx, *n.AssigneeID)
		if err != nil {
			return nil, err
		}
		i.AssigneeID, i.AssigneeName = &a.ID, a.Name()
	}
	if u := domain.UserFromContext(ctx); u != nil {
		i.CreatedByName = u.Name()
	}

	if err := tx.QueryRow(ctx, `
		INSERT INTO issues (id, title, description, severity, category, status, assignee_id, created_by, created_at, updated_at,
			started_at, detected_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11)
		RETURNING number`,
		i.ID, i.Title, i.Description, i.Severity, i.Category, i.Status, i.AssigneeID, i.CreatedBy, tx.now,
		i.StartedAt, i.DetectedAt).Scan(&i.Number); err != nil {
		return nil, fmt.Errorf("create incident: %w", formatError(err))
	}
	i.Ref = domain.IssueRef(i.Number)
	if _, err := insertTimelineEvent(ctx, tx, i.ID, domain.EventIssueCreated,
		actorName(ctx)+" created the incident", map[string]any{"severity": i.Severity, "category": i.Category}); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, "issue.create", "issue", i.ID, map[string]any{
		"title": i.Title, "severity": i.Severity, "category": i.Category, "status": i.Status, "assignee_id": i.AssigneeID,
		"started_at": i.StartedAt, "detected_at": i.DetectedAt,
	}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("create incident: %w", err)
	}
	return i, nil
}

// FindIssueByID returns an incident.
func (s *IssueService) FindIssueByID(ctx context.Context, id string) (*domain.Issue, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return findIssueByID(ctx, tx, id, false)
}

// FindIssueDetail returns an incident with its 5-Whys (by step), logs (newest first), images
// timeline (oldest first) and chat conversations (oldest first, messages by seq).
func (s *IssueService) FindIssueDetail(ctx context.Context, id string) (*domain.IssueDetail, error) {
	return s.FindIssueParts(ctx, id, domain.IssueAllParts)
}

// UpdateIssue changes the fields u sets and returns the incident. What the update changes, what
// it does to resolved_at and which timeline events it records is decided by
// domain.ApplyIssueUpdate; all changes go into one audit entry. An update that changes nothing
// records nothing and leaves updated_at alone.
func (s *IssueService) UpdateIssue(ctx context.Context, id string, u domain.IssueUpdate) (*domain.Issue, error) {
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
	i, err := updateIssue(ctx, tx, id, u)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("update incident: %w", err)
	}
	return i, nil
}

// updateIssue applies a validated update inside tx: it locks the incident, looks up the user it
// assigns, and stores, records and audits what domain.ApplyIssueUpdate decided.
func updateIssue(ctx context.Context, tx *Tx, id string, u domain.IssueUpdate) (*domain.Issue, error) {
	old, err := findIssueByID(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	var assignee *domain.User
	if u.AssigneeID != nil && *u.AssigneeID != "" {
		if assignee, err = findAssignee(ctx, tx, *u.AssigneeID); err != nil {
			return nil, err
		}
	}
	c, err := domain.ApplyIssueUpdate(old, u, assignee, tx.now)
	if err != nil {
		return nil, err
	}
	if !c.Changed() {
		return old, nil
	}

	next := &c.Issue
	if _, err := tx.Exec(ctx, `
		UPDATE issues SET title = $2, description = $3, severity = $4, category = $5, status = $6,
		       assignee_id = $7, resolved_at = $8, updated_at = $9, started_at = $10, detected_at = $11,
		       mitigated_at = $12,
		       closed_at = CASE WHEN $6 = 'closed' THEN COALESCE(closed_at, $9) END
		WHERE id = $1`,
		next.ID, next.Title, next.Description, next.Severity, next.Category, next.Status,
		next.AssigneeID, next.ResolvedAt, next.UpdatedAt, next.StartedAt, next.DetectedAt, next.MitigatedAt); err != nil {
		return nil, fmt.Errorf("update incident: %w", formatError(err))
	}
	for _, e := range c.Events {
		if _, err := insertTimelineEvent(ctx, tx, next.ID, e.Type, e.Description, e.Metadata); err != nil {
			return nil, err
		}
	}
	if err := appendAudit(ctx, tx, "issue.update", "issue", next.ID, map[string]any{"changes": c.Changes}); err != nil {
		return nil, err
	}
	return next, nil
}

// DeleteIssue deletes an incident; its 5-Whys and timeline go with it. The audit entry keeps
// the title.
func (s *IssueService) DeleteIssue(ctx context.Context, id string) error {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	i, err := findIssueByID(ctx, tx, id, true)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM issues WHERE id = $1`, i.ID); err != nil {
		return fmt.Errorf("delete incident: %w", formatError(err))
	}
	if err := appendAudit(ctx, tx, "issue.delete", "issue", i.ID, map[string]any{
		"title": i.Title, "severity": i.Severity, "status": i.Status,
	}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// summarySelect selects the columns scanSummary reads, with the total number of matches last.
const summarySelect = `
	SELECT i.id, i.number, i.title, i.severity, i.status, i.category, i.assignee_id,
	       COALESCE(NULLIF(a.display_name, ''), a.username, ''),
	       i.created_at, i.updated_at, i.resolved_at,
	       (SELECT count(*) FROM five_whys w WHERE w.issue_id = i.id),
	       (SELECT count(*) FROM log_files l WHERE l.issue_id = i.id)`

// scanSummary reads a row of summarySelect followed by extra destinations.
func scanSummary(row pgx.Row, extra ...any) (*domain.IssueSummary, error) {
	var s domain.IssueSummary
	dest := append([]any{&s.ID, &s.Number, &s.Title, &s.Severity, &s.Status, &s.Category, &s.AssigneeID, &s.AssigneeName,
		&s.CreatedAt, &s.UpdatedAt, &s.ResolvedAt, &s.StepCount, &s.LogCount}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	s.Ref = domain.IssueRef(s.Number)
	s.CreatedAt, s.UpdatedAt, s.ResolvedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC(), utcPtr(s.ResolvedAt)
	return &s, nil
}

// FindIssues returns a page of incidents matching f, and the number of all matches.
func (s *IssueService) FindIssues(ctx context.Context, f domain.IssueFilter) ([]*domain.IssueSummary, int, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, 0, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(ctx)
	return findIssues(ctx, tx, f)
}

// findIssues runs the query of FindIssues.
func findIssues(ctx context.Context, tx *Tx, f domain.IssueFilter) ([]*domain.IssueSummary, int, error) {
	f.Normalise()
	pg := pageOf(f.Page, f.PerPage)
	where, args := []string{"TRUE"}, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if len(f.Status) > 0 {
		where = append(where, "i.status = ANY("+arg(stringsOf(f.Status))+")")
	}
	if len(f.Severity) > 0 {
		where = append(where, "i.severity = ANY("+arg(stringsOf(f.Severity))+")")
	}
	if len(f.Category) > 0 {
		where = append(where, "i.category = ANY("+arg(stringsOf(f.Category))+")")
	}
	if f.AssigneeID != nil {
		if *f.AssigneeID == "" {
			where = append(where, "i.assignee_id IS NULL")
		} else if id, ok := parseID(*f.AssigneeID); ok {
			where = append(where, "i.assignee_id = "+arg(id))
		} else {
			return []*domain.IssueSummary{}, 0, nil
		}
	}
	if text := searchQuery(f.Query); f.Query != "" {
		// The text goes through the full-text index (and an INC ref through the number's);
		// text with no searchable words matches nothing, as in the search.
		tsq := "websearch_to_tsquery('english', " + arg(text) + ")"
		match := "(numnode(" + tsq + ") > 0 AND i.search @@ " + tsq + ")"
		if n, ok := domain.ParseIssueRef(text); ok {
			match = "(" + match + " OR i.number = " + arg(n) + ")"
		}
		where = append(where, match)
	}
	cond := strings.Join(where, " AND ")
	limit, pageArgs := pg.limitOffset(args)
	order := issueOrder(f.Sort, f.Desc)

	// The page's ids are taken first, from the order's index (an index-only scan when nothing
	// but the order filters), and only its rows are read with their assignee and counts: the
	// cost is the page's, not the table's.
	rows, err := tx.Query(ctx, summarySelect+`
		FROM (SELECT i.id FROM issues i WHERE `+cond+` ORDER BY `+order+` `+limit+`) p
		JOIN issues i ON i.id = p.id
		LEFT JOIN users a ON a.id = i.assignee_id
		ORDER BY `+order, pageArgs...)
	if err != nil {
		return nil, 0, fmt.Errorf("find incidents: %w", err)
	}
	defer rows.Close()
	items := []*domain.IssueSummary{}
	for rows.Next() {
		s, err := scanSummary(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan incident: %w", err)
		}
		items = append(items, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find incidents: %w", err)
	}
	// The total counts at most MaxListTotal matches; a full page short of the cap is exact
	// from the page alone.
	total := pg.offset() + len(items)
	if len(items) == pg.perPage || pg.pastEnd(len(items)) {
		capArgs := append(append([]any{}, args...), domain.MaxListTotal)
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM issues i WHERE `+cond+
			fmt.Sprintf(` LIMIT $%d) c`, len(capArgs)), capArgs...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count incidents: %w", err)
		}
		if len(items) > 0 {
			// Beyond the cap, the page shows where the count stopped.
			total = max(total, pg.offset()+len(items))
		}
	}
	return items, total, nil
}

// issueOrder is the ORDER BY of an incident list sorted by key (one of domain.IssueSortKeys);
// each order ends on the id so that pages never overlap, and each matches an index of
// migrations 00001 and 00019.
func issueOrder(key string, desc bool) string {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	switch key {
	case "created_at":
		return "i.created_at " + dir + ", i.id " + dir
	case "ref":
		return "i.number " + dir
	case "title":
		return "lower(i.title) " + dir + ", i.id " + dir
	case "severity":
		return "array_position(ARRAY['low', 'medium', 'high', 'critical']::text[], i.severity) " + dir +
			", i.updated_at " + dir + ", i.id " + dir
	case "status":
		return "array_position(ARRAY['open', 'triaging', 'investigating', 'resolved', 'closed']::text[], i.status) " + dir +
			", i.updated_at " + dir + ", i.id " + dir
	default:
		return "i.updated_at " + dir + ", i.id " + dir
	}
}

// stringsOf converts a slice of string-based values for a query argument.
func stringsOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// marshalMetadata returns metadata as a JSON object, {} for nil.
func marshalMetadata(metadata any) (json.RawMessage, error) {
	switch m := metadata.(type) {
	case nil:
		return json.RawMessage("{}"), nil
	case json.RawMessage:
		return m, nil
	}
	b, err := json.Marshal(metadata)
	if err != nil {
		return nil, fmt.Errorf("marshal metadata: %w", err)
	}
	return b, nil
}
