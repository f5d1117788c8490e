// Package ai streams chat replies from language-model providers: any OpenAI-compatible server,
// Mistral, Anthropic, Gemini and Ollama. It implements domain.ChatModelFactory and translates every
// provider failure into a domain.Error whose message a user can act on and which never contains
// the API key.
package ai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tftsr/domain"
)

// DefaultTimeout bounds a whole reply when the provider config sets no timeout.
const DefaultTimeout = 120 * time.Second

// DefaultFirstByteTimeout bounds the wait for a cloud provider's response headers. Ollama is
// exempt: it loads the model before it answers, which can take minutes on a cold start.
const DefaultFirstByteTimeout = 30 * time.Second

// testMaxTokens caps the reply to the connection test's prompt.
const testMaxTokens = 16

// The default base URLs, used when a provider config leaves BaseURL empty.
const (
	defaultOpenAIURL    = "https://api.openai.com/v1"
	defaultMistralURL   = "https://api.mistral.ai/v1"
	defaultAnthropicURL = "https://api.anthropic.com"
	defaultGeminiURL    = "https://generativelanguage.googleapis.com"
	defaultOllamaURL    = "http://127.0.0.1:11434"
)

// Factory makes the ChatModel of a provider config. It implements domain.ChatModelFactory.
type Factory struct {
	// HTTPClient sends every request. It must not set Timeout, which would cut long streams;
	// the factory bounds each reply itself.
	HTTPClient *http.Client
	// FirstByteTimeout bounds the wait for response headers from cloud providers.
	FirstByteTimeout time.Duration
}

var _ domain.ChatModelFactory = (*Factory)(nil)

// NewFactory returns a Factory sending its requests through client, or through a client of its
// own when client is nil.
// Either way the client follows no redirect to another host: the keys travel in headers that
// Go's client would send on (x-api-key, x-goog-api-key), and the prompt with them.
func NewFactory(client *http.Client) *Factory {
	if client == nil {
		client = &http.Client{Transport: guardedTransport()}
	}
	if client.CheckRedirect == nil {
		c := *client
		c.CheckRedirect = sameHostRedirects
		client = &c
	}
	return &Factory{HTTPClient: client, FirstByteTimeout: DefaultFirstByteTimeout}
}

// sameHostRedirects follows a provider's redirects only to the scheme and host of the first
// request, at most 5 times. A redirect elsewhere fails the request, so the adapter reports the
// provider unreachable instead of sending the key and the prompt to another server.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return errRedirectElsewhere
	}
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	return nil
}

// errRedirectElsewhere is the error of a request that a provider redirected to another host.
var errRedirectElsewhere = errors.New("the provider redirected to another host, which is not followed")

// ChatModel returns the streaming chat model of cfg. An incomplete or inconsistent config is an
// EINVALID error with per-field messages.
func (f *Factory) ChatModel(cfg domain.ProviderConfig) (domain.ChatModel, error) {
	s, err := f.settings(cfg)
	if err != nil {
		return nil, err
	}
	switch s.kind {
	case domain.ProviderOpenAI, domain.ProviderMistral:
		return newOpenAIModel(s), nil
	case domain.ProviderAnthropic:
		return newAnthropicModel(s), nil
	case domain.ProviderGemini:
		return &geminiModel{s: s}, nil
	case domain.ProviderOllama:
		return &ollamaModel{s: s}, nil
	}
	return nil, domain.Errorf(domain.EUNSUPPORTED, "The provider kind %q is not supported.", s.kind)
}

// Test checks that cfg reaches a working model by asking it for a very short reply. It returns
// the same errors as StreamChat.
func (f *Factory) Test(ctx context.Context, cfg domain.ProviderConfig) error {
	m, err := f.ChatModel(cfg)
	if err != nil {
		return err
	}
	req := domain.ChatRequest{
		Messages:  []domain.ChatMessage{{Role: domain.RoleUser, Content: "Reply with OK."}},
		MaxTokens: testMaxTokens,
	}
	_, err = m.StreamChat(ctx, req, func(string) error { return nil })
	return err
}

// settings is a validated provider config with its defaults applied.
type settings struct {
	kind        domain.ProviderKind
	baseURL     string // without a trailing slash
	model       string
	apiKey      string
	temperature *float64
	maxTokens   int
	timeout     time.Duration
	firstByte   time.Duration
	client      *http.Client
	// tools says whether the model is offered tools: the config's SupportsTools.
	tools bool
}

// settings validates cfg and applies the defaults.
func (f *Factory) settings(cfg domain.ProviderConfig) (*settings, error) {
	fields := map[string]string{}
	if !cfg.Kind.Valid() {
		fields["kind"] = "Choose one of the provider kinds."
	}
	if strings.TrimSpace(cfg.Model) == "" {
		fields["model"] = "Enter the model name."
	}
	if t := cfg.Temperature; t != nil && (*t < 0 || *t > 2) {
		fields["temperature"] = "The temperature must be between 0 and 2."
	}
	if cfg.MaxTokens < 0 {
		fields["max_tokens"] = "The maximum number of tokens cannot be negative."
	}
	if cfg.Timeout < 0 || cfg.TimeoutSeconds < 0 {
		fields["timeout_seconds"] = "The timeout cannot be negative."
	}
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if base == "" {
		base = defaultBaseURL(cfg.Kind)
	} else if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fields["base_url"] = "Enter an http or https URL, like https://api.openai.com/v1."
	}
	if len(fields) > 0 {
		return nil, domain.Invalid("The provider settings are incomplete or invalid.", fields)
	}

	timeout := cfg.Timeout
	if timeout == 0 && cfg.TimeoutSeconds > 0 {
		timeout = time.Duration(cfg.TimeoutSeconds) * time.Second
	}
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	firstByte := f.FirstByteTimeout
	if cfg.Kind == domain.ProviderOllama || firstByte <= 0 || firstByte > timeout {
		firstByte = timeout
	}
	client := f.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	return &settings{
		kind:        cfg.Kind,
		baseURL:     trimAPIPath(cfg.Kind, base),
		model:       strings.TrimSpace(cfg.Model),
		apiKey:      cfg.APIKey,
		temperature: cfg.Temperature,
		maxTokens:   cfg.MaxTokens,
		timeout:     timeout,
		firstByte:   firstByte,
		client:      client,
		tools:       cfg.SupportsTools,
	}, nil
}

// defaultBaseURL returns the public endpoint of a kind.
func defaultBaseURL(kind domain.ProviderKind) string {
	switch kind {
	case domain.ProviderMistral:
		return defaultMistralURL
	case domain.ProviderAnthropic:
		return defaultAnthropicURL
	case domain.ProviderGemini:
		return defaultGeminiURL
	case domain.ProviderOllama:
		return defaultOllamaURL
	}
	return defaultOpenAIURL
}

// trimAPIPath removes the API path that people often paste with the host, since the adapters add
// it themselves: Anthropic's /v1/messages, Gemini's /v1beta and Ollama's /api.
func trimAPIPath(kind domain.ProviderKind, base string) string {
	var suffixes []string
	switch kind {
	case domain.ProviderAnthropic:
		suffixes = []string{"/v1/messages", "/v1"}
	case domain.ProviderGemini:
		suffixes = []string{"/v1beta"}
	case domain.ProviderOllama:
		suffixes = []string{"/api/chat", "/api"}
	}
	for _, s := range suffixes {
		if strings.HasSuffix(base, s) {
			return strings.TrimSuffix(base, s)
		}
	}
	return base
}

// call is one request's resolved parameters: the request's values where set, else the config's.
type call struct {
	model       string
	temperature *float64
	maxTokens   int
	system      string
	turns       []domain.ChatMessage
	// tools are offered to the model: the request's, when the config supports tools.
	tools []domain.ToolSpec
}

// newCall resolves req against the config. Every system message is merged, in order, into one
// system prompt, since several providers accept only one and in first place. Tools are dropped
// unless the config says the model supports them.
func (s *settings) newCall(req domain.ChatRequest) (*call, error) {
	c := &call{model: s.model, temperature: s.temperature, maxTokens: s.maxTokens}
	if s.tools {
		c.tools = req.Tools
	}
	if m := strings.TrimSpace(req.Model); m != "" {
		c.model = m
	}
	if req.Temperature != nil {
		c.temperature = req.Temperature
	}
	if req.MaxTokens > 0 {
		c.maxTokens = req.MaxTokens
	}
	var system []string
	for _, m := range req.Messages {
		switch m.Role {
		case domain.RoleSystem:
			if strings.TrimSpace(m.Content) != "" {
				system = append(system, m.Content)
			}
		case domain.RoleUser, domain.RoleAssistant, domain.RoleTool:
			c.turns = append(c.turns, m)
		default:
			return nil, domain.Errorf(domain.EINVALID, "A chat message has the unknown role %q.", m.Role)
		}
	}
	if len(c.turns) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "The chat request has no user message.")
	}
	c.system = strings.Join(system, "\n\n")
	return c, nil
}

// errTimedOut is the cause of a context ended by a reply's own timeouts.
var errTimedOut = errors.New("ai: the provider did not answer in time")

// deadline bounds one reply: the whole stream by the config's timeout and the wait for response
// headers by the first-byte timeout.
type deadline struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	total  *time.Timer
	first  *time.Timer
	// heard says that the provider's response headers arrived. It is read and written only by
	// the goroutine streaming the reply.
	heard bool
}

// start returns the deadline of a reply asked under parent. Call stop when the reply is done.
func (s *settings) start(parent context.Context) *deadline {
	ctx, cancel := context.WithCancelCause(parent)
	d := &deadline{ctx: ctx, cancel: cancel}
	d.total = time.AfterFunc(s.timeout, func() { cancel(errTimedOut) })
	if s.firstByte < s.timeout {
		d.first = time.AfterFunc(s.firstByte, func() { cancel(errTimedOut) })
	}
	return d
}

// answered stops the first-byte timer once the provider's response headers are in.
func (d *deadline) answered() {
	d.heard = true
	if d.first != nil {
		d.first.Stop()
	}
}

// stop releases the timers and ends the context, which closes any open connection.
func (d *deadline) stop() {
	d.answered()
	d.total.Stop()
	d.cancel(context.Canceled)
}

// tokenError marks an error returned by the caller's onToken callback, which StreamChat returns
// unchanged.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

// emit passes a non-empty piece of text to onToken.
func emit(onToken func(string) error, text string) error {
	if text == "" {
		return nil
	}
	if err := onToken(text); err != nil {
		return &tokenError{err: err}
	}
	return nil
}

// toolArgs returns a tool call's arguments as a JSON object, which every provider requires in the
// assistant turn sent back: "{}" when the model wrote nothing or something else.
func toolArgs(raw json.RawMessage) json.RawMessage {
	var obj map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &obj) != nil || obj == nil {
		return json.RawMessage("{}")
	}
	return raw
}

// toolSchema returns a tool's parameter schema as a map: an object schema without properties
// when it has none.
func toolSchema(raw json.RawMessage) map[string]any {
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || m == nil {
		return map[string]any{"type": "object", "properties": map[string]any{}}
	}
	return m
}

// callID returns the id of the n-th tool call of a reply, for providers that give none.
func callID(n int) string { return fmt.Sprintf("call_%d", n) }
