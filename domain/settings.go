package domain

import (
	"context"
	"encoding/json"
	"strings"
)

// Settings are the team's settings, editable by admins and readable by everyone.
type Settings struct {
	TeamName        string   `json:"team_name"`
	DefaultSeverity Severity `json:"default_severity"`
	DefaultCategory Category `json:"default_category"`
	// PaperSize is the page size of exported PDFs.
	PaperSize PaperSize `json:"paper_size"`
}

// PaperSizes lists every paper size.
var PaperSizes = []PaperSize{PaperA4, PaperLetter}

// Valid reports whether p is a known paper size.
func (p PaperSize) Valid() bool { return contains(PaperSizes, p) }

// Label returns p for people: "A4" or "US Letter".
func (p PaperSize) Label() string {
	if p == PaperLetter {
		return "US Letter"
	}
	return "A4"
}

// DefaultSettings returns the settings a new portal starts with.
func DefaultSettings() Settings {
	return Settings{TeamName: "TFTSR", DefaultSeverity: SeverityMedium, DefaultCategory: "general", PaperSize: PaperA4}
}

// SettingsUpdate changes settings; nil fields stay as they are.
type SettingsUpdate struct {
	TeamName        *string    `json:"team_name"`
	DefaultSeverity *Severity  `json:"default_severity"`
	DefaultCategory *Category  `json:"default_category"`
	PaperSize       *PaperSize `json:"paper_size"`
}

// Validate normalises u and checks the fields it sets.
func (u *SettingsUpdate) Validate() error {
	fields := map[string]string{}
	if u.TeamName != nil {
		t := strings.TrimSpace(*u.TeamName)
		u.TeamName = &t
		if t == "" {
			fields["team_name"] = "Team name is required."
		} else if msg := validateText(t, 100, false); msg != "" {
			fields["team_name"] = "Team name: " + msg
		}
	}
	if u.DefaultSeverity != nil && !u.DefaultSeverity.Valid() {
		fields["default_severity"] = "Choose critical, high, medium or low."
	}
	if u.DefaultCategory != nil && !u.DefaultCategory.Valid() {
		fields["default_category"] = "Choose a category from the list."
	}
	if u.PaperSize != nil && !u.PaperSize.Valid() {
		fields["paper_size"] = "Choose A4 or US Letter."
	}
	return fieldsError(fields)
}

// Apply returns s changed by u.
func (u SettingsUpdate) Apply(s Settings) Settings {
	if u.TeamName != nil {
		s.TeamName = *u.TeamName
	}
	if u.DefaultSeverity != nil {
		s.DefaultSeverity = *u.DefaultSeverity
	}
	if u.DefaultCategory != nil {
		s.DefaultCategory = *u.DefaultCategory
	}
	if u.PaperSize != nil {
		s.PaperSize = *u.PaperSize
	}
	return s
}

// Map returns the stored form of s: one JSON value per key.
func (s Settings) Map() map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	b, _ := json.Marshal(s.TeamName)
	m["team_name"] = b
	b, _ = json.Marshal(s.DefaultSeverity)
	m["default_severity"] = b
	b, _ = json.Marshal(s.DefaultCategory)
	m["default_category"] = b
	b, _ = json.Marshal(s.PaperSize)
	m["paper_size"] = b
	return m
}

// SettingsService reads and changes team settings.
type SettingsService interface {
	GetSettings(ctx context.Context) (Settings, error)
	UpdateSettings(ctx context.Context, u SettingsUpdate) (Settings, error)
}
