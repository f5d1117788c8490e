package db

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"tftsr/domain"
)

// Ensure SettingsService implements the domain port.
var _ domain.SettingsService = (*SettingsService)(nil)

// SettingsService reads and changes the team's settings, stored one row per key.
type SettingsService struct {
	db *DB
}

// NewSettingsService returns a SettingsService over db.
func NewSettingsService(db *DB) *SettingsService {
	return &SettingsService{db: db}
}

// GetSettings returns the settings: the defaults overlaid with the stored values.
func (s *SettingsService) GetSettings(ctx context.Context) (domain.Settings, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return domain.Settings{}, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return domain.Settings{}, err
	}
	defer tx.Rollback(ctx)
	return getSettings(ctx, tx)
}

// getSettings reads the stored settings over the defaults. A stored value that no longer
// decodes or validates is ignored in favour of the default.
func getSettings(ctx context.Context, tx *Tx) (domain.Settings, error) {
	set := domain.DefaultSettings()
	rows, err := tx.Query(ctx, `SELECT key, value::text FROM settings`)
	if err != nil {
		return set, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return set, fmt.Errorf("read settings: %w", err)
		}
		var upd domain.SettingsUpdate
		switch key {
		case "team_name":
			upd.TeamName = new(string)
			if json.Unmarshal([]byte(value), upd.TeamName) != nil {
				continue
			}
		case "default_severity":
			upd.DefaultSeverity = new(domain.Severity)
			if json.Unmarshal([]byte(value), upd.DefaultSeverity) != nil {
				continue
			}
		case "default_category":
			upd.DefaultCategory = new(domain.Category)
			if json.Unmarshal([]byte(value), upd.DefaultCategory) != nil {
				continue
			}
		case "paper_size":
			upd.PaperSize = new(domain.PaperSize)
			if json.Unmarshal([]byte(value), upd.PaperSize) != nil {
				continue
			}
		case "ollama_url":
			upd.OllamaURL = new(string)
			if json.Unmarshal([]byte(value), upd.OllamaURL) != nil {
				continue
			}
		case "retention_original_log_days":
			upd.RetentionOriginalLogDays = new(int)
			if json.Unmarshal([]byte(value), upd.RetentionOriginalLogDays) != nil {
				continue
			}
		case "retention_closed_incident_days":
			upd.RetentionClosedIncidentDays = new(int)
			if json.Unmarshal([]byte(value), upd.RetentionClosedIncidentDays) != nil {
				continue
			}
		case "default_provider":
			upd.DefaultProvider = new(string)
			if json.Unmarshal([]byte(value), upd.DefaultProvider) != nil {
				continue
			}
		default:
			continue
		}
		if upd.Validate() == nil {
			set = upd.Apply(set)
		}
	}
	if err := rows.Err(); err != nil {
		return set, fmt.Errorf("read settings: %w", err)
	}
	return set, nil
}

// UpdateSettings changes the settings u sets and returns them all. Only admins may. Each changed
// key is stored as its own row, and the audit entry lists what changed; an update that changes
// nothing records nothing.
func (s *SettingsService) UpdateSettings(ctx context.Context, u domain.SettingsUpdate) (domain.Settings, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return domain.Settings{}, err
	}
	if err := u.Validate(); err != nil {
		return domain.Settings{}, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return domain.Settings{}, err
	}
	defer tx.Rollback(ctx)

	old, err := getSettings(ctx, tx)
	if err != nil {
		return domain.Settings{}, err
	}
	next := u.Apply(old)
	before, after := old.Map(), next.Map()
	keys := make([]string, 0, len(after))
	for k := range after {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	changes := map[string]change{}
	for _, k := range keys {
		if bytes.Equal(before[k], after[k]) {
			continue
		}
		changes[k] = change{before[k], after[k]}
		if _, err := tx.Exec(ctx, `
			INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
			k, string(after[k]), actorIDPtr(ctx), tx.now); err != nil {
			return domain.Settings{}, fmt.Errorf("store setting %s: %w", k, formatError(err))
		}
	}
	if len(changes) == 0 {
		return old, nil
	}
	if err := appendAudit(ctx, tx, "settings.update", "settings", "team", map[string]any{"changes": changes}); err != nil {
		return domain.Settings{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return domain.Settings{}, fmt.Errorf("update settings: %w", err)
	}
	return next, nil
}
