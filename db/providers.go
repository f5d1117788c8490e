package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// Ensure ProviderStore implements the domain port.
var _ domain.ProviderStore = (*ProviderStore)(nil)

// ProviderStore stores AI provider configs. The api_key_encrypted column holds only the
// ciphertext the domain's SecretBox sealed; the store never sees a key in plaintext. Authorisation
// is the domain.ProviderService's.
type ProviderStore struct {
	db *DB
}

// NewProviderStore returns a ProviderStore over db.
func NewProviderStore(db *DB) *ProviderStore {
	return &ProviderStore{db: db}
}

// providerColumns are the columns scanProvider reads, in order.
const providerColumns = `id, name, kind, base_url, model, temperature, max_tokens, timeout_seconds,
	supports_tools, api_key_encrypted IS NOT NULL, updated_by, updated_at, last_test_ok, coalesce(last_test_message, ''),
	last_tested_at`

// scanProvider reads a row of providerColumns.
func scanProvider(row pgx.Row) (*domain.ProviderConfig, error) {
	c := &domain.ProviderConfig{}
	var testOK *bool
	var testMsg string
	var testedAt *time.Time
	if err := row.Scan(&c.ID, &c.Name, &c.Kind, &c.BaseURL, &c.Model, &c.Temperature, &c.MaxTokens,
		&c.TimeoutSeconds, &c.SupportsTools, &c.HasAPIKey, &c.UpdatedBy, &c.UpdatedAt, &testOK, &testMsg, &testedAt); err != nil {
		return nil, err
	}
	if testOK != nil && testedAt != nil {
		c.LastTest = &domain.ProviderTestResult{OK: *testOK, Message: testMsg, At: testedAt.UTC()}
	}
	c.Timeout = time.Duration(c.TimeoutSeconds) * time.Second
	c.UpdatedAt = c.UpdatedAt.UTC()
	return c, nil
}

// FindProviderConfigs returns every config, by name.
func (s *ProviderStore) FindProviderConfigs(ctx context.Context) ([]*domain.ProviderConfig, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `SELECT `+providerColumns+` FROM provider_configs ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("find provider configs: %w", err)
	}
	return collect(rows, "find provider configs", scanProvider)
}

// FindProviderConfig returns the config called name, or ENOTFOUND.
func (s *ProviderStore) FindProviderConfig(ctx context.Context, name string) (*domain.ProviderConfig, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return findProvider(ctx, tx, name)
}

// findProvider returns the config called name inside tx.
func findProvider(ctx context.Context, tx *Tx, name string) (*domain.ProviderConfig, error) {
	c, err := scanProvider(tx.QueryRow(ctx, `SELECT `+providerColumns+` FROM provider_configs WHERE name = $1`, name))
	if err != nil {
		return nil, notFound(err, "AI provider")
	}
	return c, nil
}

// FindProviderSealedKey returns the config called name and its sealed key, nil when it has none.
func (s *ProviderStore) FindProviderSealedKey(ctx context.Context, name string) (*domain.ProviderConfig, []byte, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback(ctx)
	c, err := findProvider(ctx, tx, name)
	if err != nil {
		return nil, nil, err
	}
	var sealed []byte
	if err := tx.QueryRow(ctx, `SELECT api_key_encrypted FROM provider_configs WHERE id = $1`, c.ID).Scan(&sealed); err != nil {
		return nil, nil, notFound(err, "AI provider")
	}
	return c, sealed, nil
}

// PutProviderConfig creates or updates the config called cfg.Name, changes its sealed key as
// change says, and audits it with details, which must not hold the key.
func (s *ProviderStore) PutProviderConfig(ctx context.Context, cfg *domain.ProviderConfig, change domain.APIKeyChange,
	sealed []byte, details map[string]any) (*domain.ProviderConfig, bool, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback(ctx)

	actor := actorIDPtr(ctx)
	var created bool
	var id string
	// xmax = 0 only for a row this statement inserted.
	err = tx.QueryRow(ctx, `
		INSERT INTO provider_configs (id, name, kind, base_url, model, temperature, max_tokens, timeout_seconds,
			supports_tools, api_key_encrypted, created_by, updated_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10::int = 1 THEN $11::bytea END, $12, $12, $13, $13)
		ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, base_url = EXCLUDED.base_url, model = EXCLUDED.model,
			temperature = EXCLUDED.temperature, max_tokens = EXCLUDED.max_tokens,
			timeout_seconds = EXCLUDED.timeout_seconds, supports_tools = EXCLUDED.supports_tools,
			api_key_encrypted = CASE $10::int WHEN 1 THEN $11::bytea WHEN 2 THEN NULL ELSE provider_configs.api_key_encrypted END,
			updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
		RETURNING id, xmax = 0`,
		newID(), cfg.Name, cfg.Kind, cfg.BaseURL, cfg.Model, cfg.Temperature, cfg.MaxTokens, cfg.TimeoutSeconds,
		cfg.SupportsTools, int(change), sealed, actor, tx.now,
	).Scan(&id, &created)
	if err != nil {
		return nil, false, fmt.Errorf("store provider config: %w", formatError(err))
	}
	stored, err := findProvider(ctx, tx, cfg.Name)
	if err != nil {
		return nil, false, err
	}
	action := "provider_config.update"
	if created {
		action = "provider_config.create"
	}
	if err := appendAudit(ctx, tx, action, "provider_config", id, details); err != nil {
		return nil, false, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, false, fmt.Errorf("store provider config: %w", err)
	}
	return stored, created, nil
}

// DeleteProviderConfig removes the config called name, or answers ENOTFOUND.
func (s *ProviderStore) DeleteProviderConfig(ctx context.Context, name string) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var id, kind string
	if err := tx.QueryRow(ctx, `DELETE FROM provider_configs WHERE name = $1 RETURNING id, kind`, name).Scan(&id, &kind); err != nil {
		return notFound(err, "AI provider")
	}
	if err := appendAudit(ctx, tx, "provider_config.delete", "provider_config", id, map[string]any{"name": name, "kind": kind}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("delete provider config: %w", err)
	}
	return nil
}

// RecordProviderTest stores res as the last connection test of the config called name.
func (s *ProviderStore) RecordProviderTest(ctx context.Context, name string, res domain.ProviderTestResult) (domain.ProviderTestResult, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx)
	res.At = tx.Now()
	tag, err := tx.Exec(ctx, `UPDATE provider_configs SET last_test_ok = $2, last_test_message = $3, last_tested_at = $4
		WHERE name = $1`, name, res.OK, res.Message, res.At)
	if err != nil {
		return res, fmt.Errorf("record provider test: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return res, domain.Errorf(domain.ENOTFOUND, "AI provider not found.")
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("record provider test: %w", err)
	}
	return res, nil
}

// FindProviderPref returns the name of the provider the user chose last, or "".
func (s *ProviderStore) FindProviderPref(ctx context.Context, userID string) (string, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback(ctx)
	var name string
	err = tx.QueryRow(ctx, `SELECT provider_name FROM user_provider_prefs WHERE user_id = $1`, userID).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find provider preference: %w", err)
	}
	return name, nil
}

// PutProviderPref stores name as the provider the user chose last.
func (s *ProviderStore) PutProviderPref(ctx context.Context, userID, name string) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO user_provider_prefs (user_id, provider_name, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET provider_name = EXCLUDED.provider_name, updated_at = EXCLUDED.updated_at`,
		userID, name, tx.Now()); err != nil {
		return fmt.Errorf("store provider preference: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store provider preference: %w", err)
	}
	return nil
}
