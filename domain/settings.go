package domain

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
)

// Settings are the team's settings, editable by admins and readable by everyone.
type Settings struct {
	TeamName        string   `json:"team_name"`
	DefaultSeverity Severity `json:"default_severity"`
	DefaultCategory Category `json:"default_category"`
	// PaperSize is the page size of exported PDFs.
	PaperSize PaperSize `json:"paper_size"`
	// OllamaURL is the base URL of the Ollama server the portal administers and lists models of.
	OllamaURL string `json:"ollama_url"`
	// RetentionOriginalLogDays is how many days after upload retention deletes the original text
	// of a reviewed log, keeping its redacted copy; 0 keeps originals for ever.
	RetentionOriginalLogDays int `json:"retention_original_log_days"`
	// RetentionClosedIncidentDays is how many days after an incident was closed retention
	// deletes it whole; 0 (the default) keeps incidents for ever.
	RetentionClosedIncidentDays int `json:"retention_closed_incident_days"`
	// DefaultProvider is the name of the AI provider a chat pre-selects for someone who has
	// not chosen one yet; "" for none (the first that works).
	DefaultProvider string `json:"default_provider"`
}

// DefaultOllamaURL is where Ollama listens on a machine that runs it with its defaults.
const DefaultOllamaURL = "http://localhost:11434"

// MaxOllamaURLLen caps the length of the Ollama URL setting.
const MaxOllamaURLLen = 2000

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
	return Settings{TeamName: "TFTSR", DefaultSeverity: SeverityMedium, DefaultCategory: "general", PaperSize: PaperA4, OllamaURL: DefaultOllamaURL}
}

// SettingsUpdate changes settings; nil fields stay as they are.
type SettingsUpdate struct {
	TeamName        *string    `json:"team_name"`
	DefaultSeverity *Severity  `json:"default_severity"`
	DefaultCategory *Category  `json:"default_category"`
	PaperSize       *PaperSize `json:"paper_size"`
	OllamaURL       *string    `json:"ollama_url"`
	// RetentionOriginalLogDays and RetentionClosedIncidentDays are 0 (off) or 1 to
	// MaxRetentionDays.
	RetentionOriginalLogDays    *int    `json:"retention_original_log_days"`
	RetentionClosedIncidentDays *int    `json:"retention_closed_incident_days"`
	DefaultProvider             *string `json:"default_provider"`
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
	if u.OllamaURL != nil {
		v := strings.TrimRight(strings.TrimSpace(*u.OllamaURL), "/")
		u.OllamaURL = &v
		if msg := ValidateOllamaURL(v); msg != "" {
			fields["ollama_url"] = msg
		}
	}
	for _, f := range []struct {
		key  string
		days *int
	}{{"retention_original_log_days", u.RetentionOriginalLogDays}, {"retention_closed_incident_days", u.RetentionClosedIncidentDays}} {
		if f.days != nil && (*f.days < 0 || *f.days > MaxRetentionDays) {
			fields[f.key] = retentionDaysMessage
		}
	}
	if u.DefaultProvider != nil {
		v := strings.TrimSpace(*u.DefaultProvider)
		u.DefaultProvider = &v
		if v != "" && ValidateProviderName(v) != "" {
			fields["default_provider"] = "Choose a provider from the list."
		}
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
	if u.OllamaURL != nil {
		s.OllamaURL = *u.OllamaURL
	}
	if u.RetentionOriginalLogDays != nil {
		s.RetentionOriginalLogDays = *u.RetentionOriginalLogDays
	}
	if u.RetentionClosedIncidentDays != nil {
		s.RetentionClosedIncidentDays = *u.RetentionClosedIncidentDays
	}
	if u.DefaultProvider != nil {
		s.DefaultProvider = *u.DefaultProvider
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
	b, _ = json.Marshal(s.OllamaURL)
	m["ollama_url"] = b
	b, _ = json.Marshal(s.RetentionOriginalLogDays)
	m["retention_original_log_days"] = b
	b, _ = json.Marshal(s.RetentionClosedIncidentDays)
	m["retention_closed_incident_days"] = b
	b, _ = json.Marshal(s.DefaultProvider)
	m["default_provider"] = b
	return m
}

// ValidateOllamaURL returns a message about what is wrong with an Ollama base URL, or "" when it
// is a plain http or https URL: a host, perhaps a port and a path, and no credentials, query or
// fragment.
func ValidateOllamaURL(s string) string {
	if s == "" {
		return "The Ollama URL is required."
	}
	if len(s) > MaxOllamaURLLen {
		return "The Ollama URL is too long."
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return "The Ollama URL must not contain spaces or control characters."
		}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "Enter an http:// or https:// URL, for example " + DefaultOllamaURL + "."
	}
	if u.User != nil {
		return "The Ollama URL must not contain a user name or password."
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(s, "?#") {
		return "The Ollama URL must not have a query (?…) or a fragment (#…)."
	}
	if u.Hostname() == "" {
		return "The Ollama URL needs a host name."
	}
	if forbiddenHost(u.Hostname()) {
		return forbiddenHostMessage
	}
	return ""
}

// SettingsService reads and changes team settings.
type SettingsService interface {
	GetSettings(ctx context.Context) (Settings, error)
	UpdateSettings(ctx context.Context, u SettingsUpdate) (Settings, error)
}
