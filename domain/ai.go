package domain

import (
	"context"
	"encoding/json"
	"time"
)

// ProviderKind is the wire protocol of an AI provider.
type ProviderKind string

// The provider kinds.
const (
	// ProviderOpenAI is any OpenAI-compatible server (OpenAI, Azure OpenAI, LiteLLM, vLLM, LM
	// Studio, anything serving /v1/chat/completions).
	ProviderOpenAI    ProviderKind = "openai"
	ProviderAnthropic ProviderKind = "anthropic"
	ProviderGemini    ProviderKind = "gemini"
	ProviderMistral   ProviderKind = "mistral"
	ProviderOllama    ProviderKind = "ollama"
)

// ProviderKinds lists every kind.
var ProviderKinds = []ProviderKind{ProviderOpenAI, ProviderAnthropic, ProviderGemini, ProviderMistral, ProviderOllama}

// Valid reports whether k is a known kind.
func (k ProviderKind) Valid() bool { return contains(ProviderKinds, k) }

// ProviderConfig is a named, admin-configured connection to a model. The API key is write-only:
// it is stored encrypted and never rendered, returned or logged; HasAPIKey says whether one is set.
type ProviderConfig struct {
	ID             string        `json:"id"`
	Name           string        `json:"name"`
	Kind           ProviderKind  `json:"kind"`
	BaseURL        string        `json:"base_url"`
	Model          string        `json:"model"`
	Temperature    *float64      `json:"temperature"`
	MaxTokens      int           `json:"max_tokens"`
	Timeout        time.Duration `json:"-"`
	TimeoutSeconds int           `json:"timeout_seconds"`
	SupportsTools  bool          `json:"supports_tools"`
	HasAPIKey      bool          `json:"has_api_key"`
	UpdatedBy      *string       `json:"updated_by"`
	UpdatedAt      time.Time     `json:"updated_at"`
	// LastTest is the outcome of the last connection test, nil when it was never tested.
	LastTest *ProviderTestResult `json:"last_test,omitempty"`
	// APIKey is the decrypted key, filled only where a provider is called. It never leaves
	// the server.
	APIKey string `json:"-"`
}

// ChatRole is who wrote a chat message.
type ChatRole string

// The chat roles.
const (
	RoleSystem    ChatRole = "system"
	RoleUser      ChatRole = "user"
	RoleAssistant ChatRole = "assistant"
	// RoleTool is the result of a tool the model called, sent back to it in the same reply.
	RoleTool ChatRole = "tool"
)

// ToolSpec describes a tool the model may call: its name, what it does and its parameters as
// a JSON schema object.
type ToolSpec struct {
	Name        string
	Description string
	Parameters  json.RawMessage
}

// ToolCall is a model's request to run a tool. ID pairs the call with its result; adapters of
// providers that give no id make one up. Arguments is the JSON the model wrote (untrusted: it
// may be anything). Signature is an opaque token some providers (Gemini's thoughtSignature)
// attach to a call and require back with it; it is not text and is sent back unchanged.
type ToolCall struct {
	ID        string
	Name      string
	Arguments json.RawMessage
	Signature string
}

// ChatMessage is one message sent to a model. An assistant message may carry the tool calls the
// model made (ToolCalls); a RoleTool message is the result of one of them, naming the call it
// answers (ToolCallID) and the tool (ToolName).
type ChatMessage struct {
	Role       ChatRole
	Content    string
	ToolCalls  []ToolCall
	ToolCallID string
	ToolName   string
}

// ChatRequest is what a provider is asked: exactly one system message, first, then the
// conversation, and the tools the model may call (sent only to providers configured to support
// tools). Every byte of it has passed the redaction gate.
type ChatRequest struct {
	Model       string
	Messages    []ChatMessage
	Tools       []ToolSpec
	Temperature *float64
	MaxTokens   int
}

// ChatUsage counts the tokens of one reply, where the provider says.
type ChatUsage struct {
	InputTokens  int
	OutputTokens int
}

// ChatResult is how a reply ended: its token counts and the tools the model asked to run
// before it can go on (none when the reply is complete).
type ChatResult struct {
	Usage     ChatUsage
	ToolCalls []ToolCall
}

// ChatModel streams a model's reply. StreamChat calls onToken with each piece of text as it
// arrives and returns when the reply is complete or stops to call tools, the provider fails (a
// domain.Error with a message fit for users: bad key, model missing, rate limited, timeout), or
// ctx ends.
type ChatModel interface {
	StreamChat(ctx context.Context, req ChatRequest, onToken func(string) error) (ChatResult, error)
}

// ChatModelFactory makes the ChatModel of a provider config.
type ChatModelFactory interface {
	ChatModel(cfg ProviderConfig) (ChatModel, error)
}
