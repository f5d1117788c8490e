package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// Ensure SavedViewStore implements the domain port.
var _ domain.SavedViewStore = (*SavedViewStore)(nil)

// SavedViewStore keeps users' saved incident list views. Every query is bound to the signed-in
// user, so nobody can read or delete another user's view.
type SavedViewStore struct {
	db *DB
}

// NewSavedViewStore returns a SavedViewStore over db.
func NewSavedViewStore(db *DB) *SavedViewStore {
	return &SavedViewStore{db: db}
}

// savedViewOwner returns the signed-in user's id, refusing contexts below a viewer.
func savedViewOwner(ctx context.Context) (string, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return "", err
	}
	id, ok := parseID(domain.UserIDFromContext(ctx))
	if !ok {
		return "", domain.Errorf(domain.EUNAUTHORIZED, "Sign in to keep saved views.")
	}
	return id, nil
}

func scanSavedView(row pgx.Row) (*domain.SavedView, error) {
	var v domain.SavedView
	if err := row.Scan(&v.ID, &v.UserID, &v.Name, &v.Query, &v.CreatedAt); err != nil {
		return nil, err
	}
	v.CreatedAt = v.CreatedAt.UTC()
	return &v, nil
}

// CreateSavedView saves a view of the signed-in user. The name and query come validated from
// domain.SaveView; a name the user already has, in any case, is refused on the field "name".
func (s *SavedViewStore) CreateSavedView(ctx context.Context, name, query string) (*domain.SavedView, error) {
	uid, err := savedViewOwner(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	// Lock the user's row so that two saves cannot both pass the count.
	if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, uid); err != nil {
		return nil, fmt.Errorf("save view: %w", err)
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM saved_views WHERE user_id = $1`, uid).Scan(&n); err != nil {
		return nil, fmt.Errorf("save view: %w", err)
	}
	if n >= domain.MaxSavedViewsPerUser {
		msg := fmt.Sprintf("You have %d saved views, the most one can keep: delete one first.", n)
		return nil, domain.Invalid(msg, map[string]string{"name": msg})
	}
	v, err := scanSavedView(tx.QueryRow(ctx, `
		INSERT INTO saved_views (id, user_id, name, query, created_at) VALUES ($1, $2, $3, $4, $5)
		RETURNING id, user_id, name, query, created_at`, newID(), uid, name, query, tx.now))
	if err != nil {
		if isUniqueViolation(err, "saved_views_user_name_key") {
			msg := "You already have a view named " + quoteName(name) + ": choose another name."
			return nil, domain.Invalid(msg, map[string]string{"name": msg})
		}
		return nil, fmt.Errorf("save view: %w", formatError(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("save view: %w", err)
	}
	return v, nil
}

// quoteName puts a name in typographic quotes for a message.
func quoteName(name string) string { return "“" + name + "”" }

// FindSavedViews returns the signed-in user's views by name.
func (s *SavedViewStore) FindSavedViews(ctx context.Context) ([]*domain.SavedView, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, err
	}
	uid, ok := parseID(domain.UserIDFromContext(ctx))
	if !ok {
		// No stored user has such an id, so no view is theirs.
		return []*domain.SavedView{}, nil
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT id, user_id, name, query, created_at FROM saved_views
		WHERE user_id = $1 ORDER BY lower(name), id`, uid)
	if err != nil {
		return nil, fmt.Errorf("find saved views: %w", err)
	}
	return collect(rows, "find saved views", scanSavedView)
}

// DeleteSavedView deletes one of the signed-in user's views; any other id is not found.
func (s *SavedViewStore) DeleteSavedView(ctx context.Context, id string) error {
	uid, err := savedViewOwner(ctx)
	if err != nil {
		return err
	}
	vid, ok := parseID(id)
	if !ok {
		return domain.Errorf(domain.ENOTFOUND, "Saved view not found.")
	}
	tag, err := s.db.Pool.Exec(ctx, `DELETE FROM saved_views WHERE id = $1 AND user_id = $2`, vid, uid)
	if err != nil {
		return fmt.Errorf("delete saved view: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Saved view not found.")
	}
	return nil
}
