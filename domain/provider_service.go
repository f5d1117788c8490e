package domain

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ProviderService manages AI provider configs. Admins see and change everything but the API key,
// which nobody reads back: it is sealed by Box before it is stored and opened only by ForCall,
// for the services that call a provider. Other signed-in users may list the configs' names,
// kinds and models, to choose one in a chat.
type ProviderService struct {
	store ProviderStore
	// Box seals and opens API keys. Without it no key can be stored or used.
	box *SecretBox
	// Models makes chat models for Test; nil means the AI adapters are not available.
	models ChatModelFactory
	// Settings gives the team's Ollama URL, the base URL of an Ollama config that names none.
	settings SettingsService
}

// ProviderTestResult is the outcome of a connection test: OK or not, and a message for people.
type ProviderTestResult struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
	// At is when the test ran (set once it is stored).
	At time.Time `json:"tested_at"`
}

// MaxProviderTestMessage caps the stored message of a connection test, in bytes.
const MaxProviderTestMessage = 2000

// Failed reports whether r is a stored test that did not pass.
func (r *ProviderTestResult) Failed() bool { return r != nil && !r.OK }

// ListProviderConfigs returns every config, by name. Admins get all fields; anyone else only the
// id, name, kind, model and whether it supports tools.
func (s *ProviderService) ListProviderConfigs(ctx context.Context) ([]*ProviderConfig, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	cfgs, err := s.store.FindProviderConfigs(ctx)
	if err != nil {
		return nil, err
	}
	if Require(ctx, RoleAdmin) != nil {
		for i, c := range cfgs {
			// Everyone sees whether the last test failed; only admins see why (the message
			// may name the base URL).
			var last *ProviderTestResult
			if c.LastTest != nil {
				last = &ProviderTestResult{OK: c.LastTest.OK, At: c.LastTest.At}
			}
			cfgs[i] = &ProviderConfig{ID: c.ID, Name: c.Name, Kind: c.Kind, Model: c.Model, SupportsTools: c.SupportsTools, LastTest: last}
		}
	}
	return cfgs, nil
}

// GetProviderConfig returns the config called name, without its key. Only admins may.
func (s *ProviderService) GetProviderConfig(ctx context.Context, name string) (*ProviderConfig, error) {
	if err := Require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	if ValidateProviderName(name) != "" {
		return nil, providerNotFound()
	}
	return s.store.FindProviderConfig(ctx, name)
}

// PutProviderConfig creates the config in.Name or updates it. Only admins may. An empty API key
// keeps the stored one and ClearAPIKey removes it; a kind that needs a key refuses to be left
// without one. When the kind or the base URL's host changes, a stored key is not carried over
// to the new destination silently: it must be entered again (or cleared). The audit entry notes
// whether the key changed, never the key.
func (s *ProviderService) PutProviderConfig(ctx context.Context, in ProviderInput) (*ProviderConfig, bool, error) {
	if err := Require(ctx, RoleAdmin); err != nil {
		return nil, false, err
	}
	// An Ollama config without a base URL talks to the team's Ollama (Settings → Ollama).
	if in.Kind == ProviderOllama && strings.TrimSpace(in.BaseURL) == "" && s.settings != nil {
		if st, err := s.settings.GetSettings(ctx); err == nil && st.OllamaURL != "" {
			in.BaseURL = st.OllamaURL
		}
	}
	if err := in.Validate(); err != nil {
		return nil, false, err
	}
	old, err := s.store.FindProviderConfig(ctx, in.Name)
	if ErrorCode(err) == ENOTFOUND {
		old, err = nil, nil
	} else if err != nil {
		return nil, false, err
	}

	change := APIKeyKeep
	switch {
	case in.APIKey != "":
		change = APIKeySet
	case in.ClearAPIKey || in.Kind == ProviderOllama:
		change = APIKeyClear
	}
	hadKey := old != nil && old.HasAPIKey
	keeps := change == APIKeyKeep && hadKey
	if keeps && (old.Kind != in.Kind || !sameHost(old.BaseURL, in.BaseURL)) {
		return nil, false, Invalid("Please correct the highlighted fields.", map[string]string{
			"api_key": "The kind or the base URL's host changed: enter the API key again, or remove it."})
	}
	if in.Kind.needsAPIKey(in.BaseURL) && change != APIKeySet && !keeps {
		return nil, false, Invalid("Please correct the highlighted fields.", map[string]string{
			"api_key": in.Kind.Label() + " needs an API key."})
	}

	var sealed []byte
	if change == APIKeySet {
		if sealed, err = s.box.Seal([]byte(in.APIKey)); err != nil {
			return nil, false, fmt.Errorf("seal API key: %w", err)
		}
	}
	cfg := in.config()
	details := map[string]any{
		"name": cfg.Name, "kind": cfg.Kind, "base_url": cfg.BaseURL, "model": cfg.Model,
		"temperature": cfg.Temperature, "max_tokens": cfg.MaxTokens, "timeout_seconds": cfg.TimeoutSeconds,
		"supports_tools":  cfg.SupportsTools,
		"api_key_changed": change == APIKeySet || (change == APIKeyClear && hadKey),
		"has_api_key":     change == APIKeySet || keeps,
	}
	return s.store.PutProviderConfig(ctx, cfg, change, sealed, details)
}

// DeleteProviderConfig removes the config called name. Only admins may.
func (s *ProviderService) DeleteProviderConfig(ctx context.Context, name string) error {
	if err := Require(ctx, RoleAdmin); err != nil {
		return err
	}
	if ValidateProviderName(name) != "" {
		return providerNotFound()
	}
	return s.store.DeleteProviderConfig(ctx, name)
}

// ForCall returns the config called name with its API key decrypted, for a service about to call
// the provider. Any signed-in user may use a provider; the calling service checks its own role
// rules. The key must never leave the server: not in a response, a page, a log or an audit entry.
// A key that cannot be decrypted (the master key changed) is an error, never an empty key.
func (s *ProviderService) ForCall(ctx context.Context, name string) (*ProviderConfig, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	if ValidateProviderName(name) != "" {
		return nil, providerNotFound()
	}
	cfg, sealed, err := s.store.FindProviderSealedKey(ctx, name)
	if err != nil {
		return nil, err
	}
	cfg.Timeout = time.Duration(cfg.TimeoutSeconds) * time.Second
	if sealed == nil {
		return cfg, nil
	}
	key, err := s.box.Open(sealed)
	if err != nil {
		return nil, Errorf(EUNAVAILABLE, "The API key of %s cannot be decrypted (was the portal's encryption key changed?). An admin must enter it again.", cfg.Name)
	}
	cfg.APIKey = string(key)
	return cfg, nil
}

// testPrompt is the fixed request of a connection test. It holds no user data, so it needs no
// redaction.
var testPrompt = []ChatMessage{
	{Role: RoleSystem, Content: "You are a connection test. Reply with the single word OK."},
	{Role: RoleUser, Content: "Reply with OK."},
}

// TestProviderConfig sends a tiny fixed request to the config called name and reports whether a
// reply came. Only admins may. Provider failures are a result that is not OK, with a message fit
// for people that never holds the key; the error is for refusals and missing configs. The
// result is stored on the config as its last test, with the time it ran.
func (s *ProviderService) TestProviderConfig(ctx context.Context, name string) (ProviderTestResult, error) {
	if err := Require(ctx, RoleAdmin); err != nil {
		return ProviderTestResult{}, err
	}
	res, err := s.testProviderConfig(ctx, name)
	if err != nil {
		return res, err
	}
	res.Message = string(cutUTF8([]byte(res.Message), MaxProviderTestMessage))
	// Stored even when the request's context has ended (the admin left the page), so that
	// the providers table and the chat's choice show the outcome.
	return s.store.RecordProviderTest(context.WithoutCancel(ctx), name, res)
}

// testProviderConfig runs the test of TestProviderConfig.
func (s *ProviderService) testProviderConfig(ctx context.Context, name string) (ProviderTestResult, error) {
	cfg, err := s.ForCall(ctx, name)
	if code := ErrorCode(err); code == EUNAVAILABLE {
		return ProviderTestResult{Message: ErrorMessage(err)}, nil
	} else if err != nil {
		return ProviderTestResult{}, err
	}
	model, err := s.models.ChatModel(*cfg)
	if err != nil {
		return ProviderTestResult{Message: testFailure(cfg, err)}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	start := time.Now()
	var reply strings.Builder
	_, err = model.StreamChat(ctx, ChatRequest{Model: cfg.Model, Messages: testPrompt, MaxTokens: 16, Temperature: cfg.Temperature},
		func(tok string) error {
			if reply.Len() < 200 {
				reply.WriteString(tok)
			}
			return nil
		})
	if err != nil {
		return ProviderTestResult{Message: testFailure(cfg, err)}, nil
	}
	return ProviderTestResult{OK: true, Message: fmt.Sprintf("Connected: %s answered in %.1f s.", cfg.Model, time.Since(start).Seconds())}, nil
}

// testFailure explains a failed connection test. A provider's own message (a domain.Error from the
// adapter) is passed on with any trace of the key removed; other errors get a generic message,
// since their text may hold anything.
func testFailure(cfg *ProviderConfig, err error) string {
	var msg string
	var derr *Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		msg = fmt.Sprintf("No answer within %d seconds.", cfg.TimeoutSeconds)
	case errors.As(err, &derr):
		msg = derr.Message
	default:
		msg = "Could not reach the provider at " + cfg.BaseURL + "."
	}
	if cfg.APIKey != "" {
		msg = strings.ReplaceAll(msg, cfg.APIKey, "[redacted]")
	}
	return msg
}

// sameHost reports whether two base URLs point at the same scheme, host and port.
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}

func providerNotFound() error { return Errorf(ENOTFOUND, "AI provider not found.") }

// ChooseProvider returns the name of the provider a chat or an analysis pre-selects among cfgs:
// the user's last choice while it is still configured, else the team's default while it is
// configured, else the first whose last connection test did not fail, else the first. It
// returns "" when cfgs is empty.
func ChooseProvider(cfgs []*ProviderConfig, last, teamDefault string) string {
	if len(cfgs) == 0 {
		return ""
	}
	for _, want := range []string{last, teamDefault} {
		for _, c := range cfgs {
			if want != "" && c.Name == want {
				return c.Name
			}
		}
	}
	for _, c := range cfgs {
		if !c.LastTest.Failed() {
			return c.Name
		}
	}
	return cfgs[0].Name
}

// CheckDefaultProvider returns an EINVALID error unless name is "" (no team default) or names
// one of cfgs.
func CheckDefaultProvider(cfgs []*ProviderConfig, name string) error {
	if name = strings.TrimSpace(name); name == "" {
		return nil
	}
	for _, c := range cfgs {
		if c.Name == name {
			return nil
		}
	}
	return Invalid("Please correct the highlighted fields.", map[string]string{"default_provider": "Choose a provider from the list."})
}

// PreferredProvider returns the provider the signed-in user's chat pre-selects among cfgs (see
// ChooseProvider): their last choice, the team's default, or the first that works. When the
// stored choice or the settings cannot be read it still returns a provider, chosen without
// them, and the error.
func (s *ProviderService) PreferredProvider(ctx context.Context, cfgs []*ProviderConfig) (string, error) {
	var last, team string
	var errs []error
	if id := UserIDFromContext(ctx); id != "" {
		var err error
		if last, err = s.store.FindProviderPref(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	if s.settings != nil {
		if st, err := s.settings.GetSettings(ctx); err != nil {
			errs = append(errs, err)
		} else {
			team = st.DefaultProvider
		}
	}
	return ChooseProvider(cfgs, last, team), errors.Join(errs...)
}

// RememberProvider stores name as the provider the signed-in user chose last, after they sent a
// chat message or an analysis with it.
func (s *ProviderService) RememberProvider(ctx context.Context, name string) error {
	id := UserIDFromContext(ctx)
	if id == "" || ValidateProviderName(name) != "" {
		return nil
	}
	return s.store.PutProviderPref(ctx, id, name)
}
