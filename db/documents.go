package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// Ensure DocumentStore implements the domain port.
var _ domain.DocumentStore = (*DocumentStore)(nil)

// DocumentStore keeps documents and their versions. Reading needs a viewer, changing a
// responder, exporting a viewer; every change is audited, and generating and exporting are
// recorded on the incident's timeline, in the transaction that makes them.
type DocumentStore struct {
	db *DB
}

// NewDocumentStore returns a DocumentStore over db.
func NewDocumentStore(db *DB) *DocumentStore {
	return &DocumentStore{db: db}
}

// documentSelect selects the columns scanDocument reads: a document with one version and its
// author's name. The query joins documents d, document_versions v and users u.
const documentSelect = `
	SELECT d.id, d.issue_id, d.kind, d.title, d.current_version, d.created_by, d.created_at, d.updated_at,
	       v.version, v.content_md, v.author_id, COALESCE(NULLIF(u.display_name, ''), u.username, ''), v.created_at
	FROM documents d
	JOIN document_versions v ON v.document_id = d.id
	LEFT JOIN users u ON u.id = v.author_id`

func scanDocument(row pgx.Row) (*domain.Document, error) {
	var d domain.Document
	if err := row.Scan(&d.ID, &d.IssueID, &d.Kind, &d.Title, &d.CurrentVersion, &d.CreatedBy, &d.CreatedAt,
		&d.UpdatedAt, &d.Version, &d.ContentMD, &d.AuthorID, &d.AuthorName, &d.VersionCreatedAt); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt, d.VersionCreatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC(), d.VersionCreatedAt.UTC()
	return &d, nil
}

// findDocument returns a document with a version, the current one when version is 0.
func findDocument(ctx context.Context, tx *Tx, id string, version int) (*domain.Document, error) {
	did, ok := parseID(id)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Document not found.")
	}
	d, err := scanDocument(tx.QueryRow(ctx, documentSelect+`
		WHERE d.id = $1 AND v.version = CASE WHEN $2 = 0 THEN d.current_version ELSE $2 END`, did, version))
	if err != nil {
		if version > 0 {
			return nil, notFound(err, "Document version")
		}
		return nil, notFound(err, "Document")
	}
	return d, nil
}

// SaveGenerated stores generated content as the next version of the incident's document of
// kind, creating the document when it is the first, with the kind's generated event on the
// timeline and an audit entry, in one transaction.
func (s *DocumentStore) SaveGenerated(ctx context.Context, issueID string, kind domain.DocumentKind, title, content string) (*domain.Document, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
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
	var id string
	var current int
	err = tx.QueryRow(ctx, `SELECT id, current_version FROM documents WHERE issue_id = $1 AND kind = $2 FOR UPDATE`,
		iid, kind).Scan(&id, &current)
	if errors.Is(err, pgx.ErrNoRows) {
		id = newID()
		if _, err := tx.Exec(ctx, `
			INSERT INTO documents (id, issue_id, kind, title, current_version, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 1, $5, $6, $6)`, id, iid, kind, title, actorIDPtr(ctx), tx.now); err != nil {
			return nil, fmt.Errorf("create document: %w", formatError(err))
		}
	} else if err != nil {
		return nil, fmt.Errorf("find document: %w", err)
	}
	version := current + 1
	if err := insertVersion(ctx, tx, id, version, content, 0); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE documents SET title = $2, current_version = $3, updated_at = $4 WHERE id = $1`,
		id, title, version, tx.now); err != nil {
		return nil, fmt.Errorf("update document: %w", formatError(err))
	}
	if _, err := insertTimelineEvent(ctx, tx, iid, kind.EventType(),
		fmt.Sprintf("%s generated the %s (version %d)", actorName(ctx), kind.Label(), version),
		map[string]any{"document_id": id, "kind": kind, "version": version}); err != nil {
		return nil, err
	}
	if err := touchIssue(ctx, tx, iid); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, "document.generate", "document", id, map[string]any{
		"issue_id": iid, "kind": kind, "version": version, "bytes": len(content),
	}); err != nil {
		return nil, err
	}
	d, err := findDocument(ctx, tx, id, 0)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("generate document: %w", err)
	}
	return d, nil
}

// insertVersion stores a version by the context's actor.
func insertVersion(ctx context.Context, tx *Tx, id string, version int, content string, restoredFrom int) error {
	var from *int
	if restoredFrom > 0 {
		from = &restoredFrom
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO document_versions (document_id, version, content_md, author_id, restored_from, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, version, content, actorIDPtr(ctx), from, tx.now); err != nil {
		return fmt.Errorf("store document version: %w", formatError(err))
	}
	return nil
}

// SaveVersion stores content as the next version of a document, unless baseVersion is set and
// someone saved since: then nothing changes and the error names who saved which version when.
func (s *DocumentStore) SaveVersion(ctx context.Context, id, content string, baseVersion, restoredFrom int) (*domain.Document, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	did, ok := parseID(id)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Document not found.")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	var issueID string
	var current int
	if err := tx.QueryRow(ctx, `SELECT issue_id, current_version FROM documents WHERE id = $1 FOR UPDATE`, did).
		Scan(&issueID, &current); err != nil {
		return nil, notFound(err, "Document")
	}
	if baseVersion > 0 && baseVersion != current {
		cur, err := findDocument(ctx, tx, did, 0)
		if err != nil {
			return nil, err
		}
		return nil, domain.DocumentConflict(cur.Version, cur.AuthorName, cur.VersionCreatedAt)
	}
	version := current + 1
	if err := insertVersion(ctx, tx, did, version, content, restoredFrom); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE documents SET current_version = $2, updated_at = $3 WHERE id = $1`,
		did, version, tx.now); err != nil {
		return nil, fmt.Errorf("update document: %w", formatError(err))
	}
	if err := touchIssue(ctx, tx, issueID); err != nil {
		return nil, err
	}
	action, details := "document.save", map[string]any{"issue_id": issueID, "version": version, "bytes": len(content)}
	if restoredFrom > 0 {
		action, details["restored_from"] = "document.restore", restoredFrom
	}
	if err := appendAudit(ctx, tx, action, "document", did, details); err != nil {
		return nil, err
	}
	d, err := findDocument(ctx, tx, did, 0)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("save document: %w", err)
	}
	return d, nil
}

// FindDocument returns a document with a version's content, the current one when version is 0.
func (s *DocumentStore) FindDocument(ctx context.Context, id string, version int) (*domain.Document, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return findDocument(ctx, tx, id, version)
}

// FindDocuments returns an incident's documents with their current versions, RCA first.
func (s *DocumentStore) FindDocuments(ctx context.Context, issueID string) ([]*domain.Document, error) {
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
	return findDocuments(ctx, tx, i.ID)
}

// findDocuments returns an incident's documents with their current versions inside tx.
func findDocuments(ctx context.Context, tx *Tx, issueID string) ([]*domain.Document, error) {
	rows, err := tx.Query(ctx, documentSelect+`
		WHERE d.issue_id = $1 AND v.version = d.current_version ORDER BY d.kind DESC`, issueID)
	if err != nil {
		return nil, fmt.Errorf("find documents: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.Document, error) { return scanDocument(r) })
}

// FindVersions returns a document's versions, newest first, without their content.
func (s *DocumentStore) FindVersions(ctx context.Context, id string) ([]*domain.DocumentVersion, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	d, err := findDocument(ctx, tx, id, 0)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `
		SELECT v.document_id, v.version, v.author_id, COALESCE(NULLIF(u.display_name, ''), u.username, ''),
		       v.created_at, COALESCE(v.restored_from, 0)
		FROM document_versions v LEFT JOIN users u ON u.id = v.author_id
		WHERE v.document_id = $1 ORDER BY v.version DESC`, d.ID)
	if err != nil {
		return nil, fmt.Errorf("find versions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*domain.DocumentVersion, error) {
		var v domain.DocumentVersion
		if err := r.Scan(&v.DocumentID, &v.Version, &v.AuthorID, &v.AuthorName, &v.CreatedAt, &v.RestoredFrom); err != nil {
			return nil, err
		}
		v.CreatedAt = v.CreatedAt.UTC()
		return &v, nil
	})
}

// RecordExport records that the context's actor exported a document version: a
// document_exported event on the timeline and an audit entry, in one transaction.
func (s *DocumentStore) RecordExport(ctx context.Context, d *domain.Document, format string) error {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	iid, err := lockIssue(ctx, tx, d.IssueID)
	if err != nil {
		return err
	}
	label := "Markdown"
	if format == domain.ExportPDF {
		label = "PDF"
	}
	if _, err := insertTimelineEvent(ctx, tx, iid, domain.EventDocumentExported,
		fmt.Sprintf("%s exported the %s (version %d) as %s", actorName(ctx), d.Kind.Label(), d.Version, label),
		map[string]any{"document_id": d.ID, "kind": d.Kind, "version": d.Version, "format": format}); err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, "document.export", "document", d.ID, map[string]any{
		"issue_id": iid, "kind": d.Kind, "version": d.Version, "format": format,
	}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("record export: %w", err)
	}
	return nil
}
