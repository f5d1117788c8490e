package domain

import (
	"context"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Limits and defaults of provider configs.
const (
	MaxProviderNameLen      = 64
	MaxProviderModelLen     = 200
	MaxProviderURLLen       = 2048
	MaxProviderAPIKeyLen    = 4096
	DefaultProviderTokens   = 4096
	MaxProviderTokens       = 200000
	DefaultProviderTimeout  = 120
	MinProviderTimeout      = 5
	MaxProviderTimeout      = 600
	MaxProviderTemperature  = 2.0
	openAIHostedAPIHostName = "api.openai.com"
)

// providerNamePattern is what a provider config's name may hold. It is also the name's shape in
// URLs, so it needs no escaping there.
var providerNamePattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ProviderKindInfo describes a provider kind to the people who configure one: its defaults and
// whether it needs an API key.
type ProviderKindInfo struct {
	Kind           ProviderKind `json:"kind"`
	Label          string       `json:"label"`
	DefaultBaseURL string       `json:"default_base_url"`
	// ExampleModel is a model id to show as a placeholder; the model is always required.
	ExampleModel string `json:"example_model"`
	// APIKey is "required", "optional" (OpenAI-compatible servers other than api.openai.com)
	// or "none".
	APIKey                string   `json:"api_key"`
	DefaultMaxTokens      int      `json:"default_max_tokens"`
	DefaultTimeoutSeconds int      `json:"default_timeout_seconds"`
	Fields                []string `json:"fields"`
}

// providerFields are the config fields every kind has.
var providerFields = []string{"base_url", "model", "api_key", "temperature", "max_tokens", "timeout_seconds", "supports_tools"}

// ProviderKindInfos lists every kind with its defaults, in the order of ProviderKinds.
func ProviderKindInfos() []ProviderKindInfo {
	infos := make([]ProviderKindInfo, 0, len(ProviderKinds))
	for _, k := range ProviderKinds {
		infos = append(infos, k.Info())
	}
	return infos
}

// Info returns what people configuring a provider of kind k need to know.
func (k ProviderKind) Info() ProviderKindInfo {
	info := ProviderKindInfo{Kind: k, APIKey: "required", DefaultMaxTokens: DefaultProviderTokens,
		DefaultTimeoutSeconds: DefaultProviderTimeout, Fields: providerFields}
	switch k {
	case ProviderOpenAI:
		info.Label, info.DefaultBaseURL, info.ExampleModel = "OpenAI-compatible", "https://api.openai.com/v1", "gpt-4o-mini"
		info.APIKey = "optional"
	case ProviderAnthropic:
		info.Label, info.DefaultBaseURL, info.ExampleModel = "Anthropic", "https://api.anthropic.com", "claude-sonnet-4-5"
	case ProviderGemini:
		info.Label, info.DefaultBaseURL, info.ExampleModel = "Google Gemini", "https://generativelanguage.googleapis.com", "gemini-2.5-flash"
	case ProviderMistral:
		info.Label, info.DefaultBaseURL, info.ExampleModel = "Mistral", "https://api.mistral.ai/v1", "mistral-small-latest"
	case ProviderOllama:
		info.Label, info.DefaultBaseURL, info.ExampleModel = "Ollama", "http://127.0.0.1:11434", "llama3.2:3b"
		info.APIKey = "none"
	default:
		info.Label = string(k)
	}
	return info
}

// Label returns the kind's name for people.
func (k ProviderKind) Label() string { return k.Info().Label }

// needsAPIKey reports whether a config of kind k at baseURL cannot work without an API key:
// every hosted API does; OpenAI-compatible servers other than api.openai.com may not.
func (k ProviderKind) needsAPIKey(baseURL string) bool {
	switch k {
	case ProviderAnthropic, ProviderGemini, ProviderMistral:
		return true
	case ProviderOpenAI:
		u, err := url.Parse(baseURL)
		return err != nil || strings.EqualFold(u.Hostname(), openAIHostedAPIHostName)
	}
	return false
}

// ProviderInput creates or changes a provider config. The name comes from the URL. An empty
// APIKey keeps the stored key; ClearAPIKey removes it.
type ProviderInput struct {
	Name           string       `json:"-"`
	Kind           ProviderKind `json:"kind"`
	BaseURL        string       `json:"base_url"`
	Model          string       `json:"model"`
	APIKey         string       `json:"api_key"`
	ClearAPIKey    bool         `json:"clear_api_key"`
	Temperature    *float64     `json:"temperature"`
	MaxTokens      int          `json:"max_tokens"`
	TimeoutSeconds int          `json:"timeout_seconds"`
	SupportsTools  bool         `json:"supports_tools"`
}

// Validate normalises in, fills in the kind's defaults (base URL, max tokens, timeout) and checks
// every field but whether a key is needed, which depends on the stored config.
func (in *ProviderInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.BaseURL = strings.TrimRight(strings.TrimSpace(in.BaseURL), "/")
	in.Model = strings.TrimSpace(in.Model)
	in.APIKey = strings.TrimSpace(in.APIKey)
	fields := map[string]string{}
	if msg := ValidateProviderName(in.Name); msg != "" {
		fields["name"] = msg
	}
	if !in.Kind.Valid() {
		fields["kind"] = "Choose openai, anthropic, gemini, mistral or ollama."
	} else if in.BaseURL == "" {
		in.BaseURL = in.Kind.Info().DefaultBaseURL
	}
	if msg := validateProviderURL(in.BaseURL); msg != "" {
		fields["base_url"] = msg
	}
	if in.Model == "" {
		fields["model"] = "Model is required."
	} else if msg := validateText(in.Model, MaxProviderModelLen, false); msg != "" {
		fields["model"] = "Model: " + msg
	} else if strings.ContainsAny(in.Model, " \t") {
		fields["model"] = "Model must not contain spaces."
	}
	if in.APIKey != "" && in.ClearAPIKey {
		fields["api_key"] = "Either enter a new API key or remove the stored one, not both."
	} else if msg := validateText(in.APIKey, MaxProviderAPIKeyLen, false); msg != "" {
		fields["api_key"] = "API key: " + msg
	} else if in.APIKey != "" && in.Kind == ProviderOllama {
		fields["api_key"] = "Ollama takes no API key."
	}
	if t := in.Temperature; t != nil && !(*t >= 0 && *t <= MaxProviderTemperature) {
		fields["temperature"] = "Temperature must be between 0 and 2."
	}
	if in.MaxTokens == 0 {
		in.MaxTokens = DefaultProviderTokens
	} else if in.MaxTokens < 1 || in.MaxTokens > MaxProviderTokens {
		fields["max_tokens"] = "Max tokens must be between 1 and 200000."
	}
	if in.TimeoutSeconds == 0 {
		in.TimeoutSeconds = DefaultProviderTimeout
	} else if in.TimeoutSeconds < MinProviderTimeout || in.TimeoutSeconds > MaxProviderTimeout {
		fields["timeout_seconds"] = "Timeout must be between 5 and 600 seconds."
	}
	return fieldsError(fields)
}

// ValidateProviderName returns why name cannot name a provider config, or "".
func ValidateProviderName(name string) string {
	switch {
	case name == "":
		return "Name is required."
	case len(name) > MaxProviderNameLen:
		return "Name must be at most 64 characters."
	case !providerNamePattern.MatchString(name):
		return "Name may hold only letters, digits, '-', '_' and '.'."
	}
	return ""
}

// validateProviderURL returns why u cannot be a provider's base URL, or "". It must be an
// absolute http or https URL with a host, and carry no user name, password, query or fragment:
// credentials belong in the API key, which is stored encrypted.
func validateProviderURL(s string) string {
	if msg := validateText(s, MaxProviderURLLen, false); msg != "" {
		return "Base URL: " + msg
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "":
		return "Enter an http:// or https:// URL with a host."
	case u.User != nil:
		return "Put credentials in the API key, not in the URL."
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#"):
		return "The base URL must not have a query or fragment."
	case forbiddenHost(u.Hostname()):
		return forbiddenHostMessage
	}
	return ""
}

// config returns the config in describes, without its key.
func (in *ProviderInput) config() *ProviderConfig {
	return &ProviderConfig{
		Name: in.Name, Kind: in.Kind, BaseURL: in.BaseURL, Model: in.Model, Temperature: in.Temperature,
		MaxTokens: in.MaxTokens, TimeoutSeconds: in.TimeoutSeconds, Timeout: time.Duration(in.TimeoutSeconds) * time.Second,
		SupportsTools: in.SupportsTools,
	}
}

// APIKeyChange says what a save does to a config's stored API key.
type APIKeyChange int

// The API key changes.
const (
	// APIKeyKeep leaves the stored key (or its absence) as it is.
	APIKeyKeep APIKeyChange = iota
	// APIKeySet stores a new sealed key.
	APIKeySet
	// APIKeyClear removes the stored key.
	APIKeyClear
)

// ProviderStore stores provider configs. It holds API keys only as the ciphertext a SecretBox
// sealed, and never sees them in plaintext. Its finders fill HasAPIKey and never the key.
type ProviderStore interface {
	// FindProviderConfigs returns every config, by name.
	FindProviderConfigs(ctx context.Context) ([]*ProviderConfig, error)
	// FindProviderConfig returns the config called name, or ENOTFOUND.
	FindProviderConfig(ctx context.Context, name string) (*ProviderConfig, error)
	// FindProviderSealedKey returns the config called name and its sealed key (nil for none).
	FindProviderSealedKey(ctx context.Context, name string) (*ProviderConfig, []byte, error)
	// PutProviderConfig creates the config called cfg.Name, or updates it, changing its key as
	// change says (sealed is the new ciphertext for APIKeySet), and audits the change with the
	// details given. It returns the stored config and whether it was created.
	PutProviderConfig(ctx context.Context, cfg *ProviderConfig, change APIKeyChange, sealed []byte, details map[string]any) (*ProviderConfig, bool, error)
	// DeleteProviderConfig removes the config called name, and audits it.
	DeleteProviderConfig(ctx context.Context, name string) error
	// RecordProviderTest stores res as the last test of the config called name, at the
	// store's time, and returns it with that time; ENOTFOUND when the config is gone.
	RecordProviderTest(ctx context.Context, name string, res ProviderTestResult) (ProviderTestResult, error)
	// FindProviderPref returns the name of the provider the user chose last, or "".
	FindProviderPref(ctx context.Context, userID string) (string, error)
	// PutProviderPref stores name as the provider the user chose last.
	PutProviderPref(ctx context.Context, userID, name string) error
}

// ForbiddenAddr reports the addresses no outbound URL an admin enters may reach: link-local
// ones (169.254.0.0/16, fe80::/10), where clouds serve instance metadata and credentials, and
// AWS's IPv6 metadata address fd00:ec2::254. Hosts on the LAN and loopback stay allowed: an
// Ollama on the team's GPU box is the normal case.
func ForbiddenAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a == awsMetadataV6
}

var awsMetadataV6 = netip.MustParseAddr("fd00:ec2::254")

// forbiddenHost reports a URL host that names a ForbiddenAddr literally, or a cloud's metadata
// service by name.
func forbiddenHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "metadata" || h == "metadata.google.internal" {
		return true
	}
	if i := strings.IndexByte(h, '%'); i >= 0 {
		h = h[:i]
	}
	a, err := netip.ParseAddr(h)
	return err == nil && ForbiddenAddr(a)
}

// forbiddenHostMessage is what an admin is told about a URL whose host forbiddenHost refuses.
const forbiddenHostMessage = "Link-local and cloud metadata addresses (169.254.x.x, fe80::…, fd00:ec2::254) cannot be used."
