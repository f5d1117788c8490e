package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// Ensure ImageStore implements the domain ports.
var (
	_ domain.ImageStore  = (*ImageStore)(nil)
	_ domain.ObjectOwner = (*ImageStore)(nil)
)

// ImageStore keeps the rows of image attachments. Reading needs a viewer, changing a responder;
// an upload is recorded on the incident's timeline and audited, a delete audited, each in the
// transaction that makes it.
type ImageStore struct {
	db *DB
}

// NewImageStore returns an ImageStore over db.
func NewImageStore(db *DB) *ImageStore {
	return &ImageStore{db: db}
}

// NewImageID returns a new UUID v7.
func (s *ImageStore) NewImageID() string { return newID() }

// imageSelect selects the columns scanImage reads: the image with its uploader's name.
const imageSelect = `
	SELECT m.id, m.issue_id, m.file_name, m.mime_type, m.size_bytes, m.width, m.height, m.upload_hash,
	       m.object_key, m.thumbnail_key, m.is_paste, m.pii_warning_acknowledged, m.uploaded_by,
	       COALESCE(NULLIF(u.display_name, ''), u.username, ''), m.uploaded_at`

// scanImage reads a row of imageSelect followed by extra destinations.
func scanImage(row pgx.Row, extra ...any) (*domain.ImageAttachment, error) {
	var m domain.ImageAttachment
	dest := append([]any{&m.ID, &m.IssueID, &m.FileName, &m.MimeType, &m.SizeBytes, &m.Width, &m.Height,
		&m.UploadHash, &m.ObjectKey, &m.ThumbnailKey, &m.IsPaste, &m.PIIWarningAcknowledged, &m.UploadedBy,
		&m.UploadedByName, &m.UploadedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	m.UploadedAt = m.UploadedAt.UTC()
	return &m, nil
}

// CreateImage inserts an image row uploaded by the context's actor, with an image_uploaded event
// on the incident's timeline and an audit entry, in one transaction. It fills in the row's
// canonical incident id, uploader and upload time.
func (s *ImageStore) CreateImage(ctx context.Context, img *domain.ImageAttachment) error {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	iid, err := lockIssue(ctx, tx, img.IssueID)
	if err != nil {
		return err
	}
	img.IssueID, img.UploadedBy, img.UploadedAt = iid, actorIDPtr(ctx), tx.now
	if u := domain.UserFromContext(ctx); u != nil {
		img.UploadedByName = u.Name()
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO image_attachments (id, issue_id, file_name, mime_type, size_bytes, width, height, upload_hash,
		       object_key, thumbnail_key, is_paste, pii_warning_acknowledged, uploaded_by, uploaded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		img.ID, img.IssueID, img.FileName, img.MimeType, img.SizeBytes, img.Width, img.Height, img.UploadHash,
		img.ObjectKey, img.ThumbnailKey, img.IsPaste, img.PIIWarningAcknowledged, img.UploadedBy, img.UploadedAt); err != nil {
		return fmt.Errorf("create image: %w", formatError(err))
	}
	verb := "attached"
	if img.IsPaste {
		verb = "pasted"
	}
	if _, err := insertTimelineEvent(ctx, tx, iid, domain.EventImageUploaded,
		fmt.Sprintf("%s %s image %s", actorName(ctx), verb, img.FileName), map[string]any{
			"image_id": img.ID, "file_name": img.FileName, "mime_type": img.MimeType, "size_bytes": img.SizeBytes,
			"is_paste": img.IsPaste,
		}); err != nil {
		return err
	}
	if err := touchIssue(ctx, tx, iid); err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, "image.upload", "image_attachment", img.ID, map[string]any{
		"issue_id": iid, "file_name": img.FileName, "mime_type": img.MimeType, "size_bytes": img.SizeBytes,
		"width": img.Width, "height": img.Height, "upload_hash": img.UploadHash, "is_paste": img.IsPaste,
		"pii_warning_acknowledged": img.PIIWarningAcknowledged,
	}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("create image: %w", err)
	}
	return nil
}

// FindImageByID returns an image.
func (s *ImageStore) FindImageByID(ctx context.Context, id string) (*domain.ImageAttachment, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return findImageByID(ctx, tx, id)
}

// findImageByID returns an image inside tx.
func findImageByID(ctx context.Context, tx *Tx, id string) (*domain.ImageAttachment, error) {
	mid, ok := parseID(id)
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Image not found.")
	}
	img, err := scanImage(tx.QueryRow(ctx, imageSelect+`
		FROM image_attachments m LEFT JOIN users u ON u.id = m.uploaded_by
		WHERE m.id = $1`, mid))
	if err != nil {
		return nil, notFound(err, "Image")
	}
	return img, nil
}

// FindImages returns an incident's images, oldest first.
func (s *ImageStore) FindImages(ctx context.Context, issueID string) ([]*domain.ImageAttachment, error) {
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
	return findImages(ctx, tx, i.ID)
}

// findImages returns an incident's images inside tx, oldest first.
func findImages(ctx context.Context, tx *Tx, issueID string) ([]*domain.ImageAttachment, error) {
	rows, err := tx.Query(ctx, imageSelect+`
		FROM image_attachments m LEFT JOIN users u ON u.id = m.uploaded_by
		WHERE m.issue_id = $1
		ORDER BY m.uploaded_at, m.id`, issueID)
	if err != nil {
		return nil, fmt.Errorf("find images: %w", err)
	}
	return collect(rows, "find images", func(r pgx.Row) (*domain.ImageAttachment, error) { return scanImage(r) })
}

// FindAllImages returns a page of images across incidents matching f, newest first, with their
// incident's title, and the number of all matches. The search is a case-insensitive substring
// of the file name, with LIKE's metacharacters taken literally.
func (s *ImageStore) FindAllImages(ctx context.Context, f domain.ImageFilter) ([]*domain.ImageAttachment, int, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, 0, err
	}
	pg := pageOf(f.Page, f.PerPage)
	where, args := []string{"TRUE"}, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		if len(q) > domain.MaxSearchQueryLen {
			q = q[:domain.MaxSearchQueryLen]
		}
		q = strings.ToValidUTF8(q, "")
		where = append(where, `lower(m.file_name) LIKE `+arg(imageNamePattern(q))+` ESCAPE '\'`)
	}
	if f.IssueID != "" {
		iid, ok := parseID(f.IssueID)
		if !ok {
			return []*domain.ImageAttachment{}, 0, nil
		}
		where = append(where, "m.issue_id = "+arg(iid))
	}
	cond := strings.Join(where, " AND ")
	limit, pageArgs := pg.limitOffset(args)

	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, imageSelect+`, i.title, i.number, COUNT(*) OVER()
		FROM image_attachments m
		JOIN issues i ON i.id = m.issue_id
		LEFT JOIN users u ON u.id = m.uploaded_by
		WHERE `+cond+`
		ORDER BY m.uploaded_at DESC, m.id DESC
		`+limit, pageArgs...)
	if err != nil {
		return nil, 0, fmt.Errorf("find images: %w", err)
	}
	defer rows.Close()
	items, total := []*domain.ImageAttachment{}, 0
	for rows.Next() {
		var title string
		var number int64
		img, err := scanImage(rows, &title, &number, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("scan image: %w", err)
		}
		img.IssueTitle, img.IssueRef = title, domain.IssueRef(number)
		items = append(items, img)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find images: %w", err)
	}
	if pg.pastEnd(len(items)) {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM image_attachments m WHERE `+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count images: %w", err)
		}
	}
	return items, total, nil
}

// imageNamePattern returns the LIKE pattern that finds q anywhere in a lower-cased file name,
// with LIKE's metacharacters (% _ \) in q escaped by a backslash.
func imageNamePattern(q string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
}

// DeleteImage deletes an image's row and returns it, so that its objects can be removed. The
// audit entry keeps its file name and hash.
func (s *ImageStore) DeleteImage(ctx context.Context, id string) (*domain.ImageAttachment, error) {
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	img, err := findImageByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	// Lock the incident first, as uploads do, so that changes to it are ordered.
	if _, err := lockIssue(ctx, tx, img.IssueID); err != nil {
		return nil, err
	}
	tag, err := tx.Exec(ctx, `DELETE FROM image_attachments WHERE id = $1`, img.ID)
	if err != nil {
		return nil, fmt.Errorf("delete image: %w", formatError(err))
	}
	if tag.RowsAffected() == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Image not found.")
	}
	if err := touchIssue(ctx, tx, img.IssueID); err != nil {
		return nil, err
	}
	if err := appendAudit(ctx, tx, "image.delete", "image_attachment", img.ID, map[string]any{
		"issue_id": img.IssueID, "file_name": img.FileName, "upload_hash": img.UploadHash,
	}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("delete image: %w", err)
	}
	return img, nil
}

// OwnedObjectKeys returns the keys, among those given, of images and thumbnails that a row
// refers to. The sweeper uses it for the "images/" and "thumbs/" prefixes.
func (s *ImageStore) OwnedObjectKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	owned := map[string]bool{}
	if len(keys) == 0 {
		return owned, nil
	}
	rows, err := s.db.Pool.Query(ctx, `
		SELECT object_key FROM image_attachments WHERE object_key = ANY($1)
		UNION ALL
		SELECT thumbnail_key FROM image_attachments WHERE thumbnail_key = ANY($1)`, keys)
	if err != nil {
		return nil, fmt.Errorf("find owned image objects: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("scan owned image object: %w", err)
		}
		owned[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find owned image objects: %w", err)
	}
	return owned, nil
}
