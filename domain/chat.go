package domain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"tftsr/domain/triage"
)

// MessageStatus is where a stored chat message stands.
type MessageStatus string

// The message statuses. A reply is stored pending (streaming) when it is asked for and finished
// as complete, incomplete (stopped or cut off: the partial text is kept) or error.
const (
	MessageComplete   MessageStatus = "complete"
	MessageStreaming  MessageStatus = "streaming"
	MessageIncomplete MessageStatus = "incomplete"
	MessageError      MessageStatus = "error"
)

// MaxChatMessageLen bounds a typed chat message, in bytes.
const MaxChatMessageLen = 32_000

// Conversation is the chat of an incident with one provider config and model. The history of an
// incident spans all its conversations.
type Conversation struct {
	ID             string                 `json:"id"`
	IssueID        string                 `json:"issue_id"`
	ProviderConfig string                 `json:"provider_config"`
	Model          string                 `json:"model"`
	CreatedBy      *string                `json:"created_by"`
	CreatedAt      time.Time              `json:"created_at"`
	Messages       []*ConversationMessage `json:"messages"`
}

// ConversationMessage is a stored chat message. A user message holds the redacted text, never
// the plaintext; an assistant message the reply as far as it came.
type ConversationMessage struct {
	ID             string        `json:"id"`
	ConversationID string        `json:"conversation_id"`
	IssueID        string        `json:"issue_id"`
	Seq            int64         `json:"seq"`
	Role           ChatRole      `json:"role"`
	Content        string        `json:"content"`
	Status         MessageStatus `json:"status"`
	Error          string        `json:"error,omitempty"`
	PIITypes       []string      `json:"pii_types"`
	SentHash       string        `json:"sent_hash,omitempty"`
	WhyLevel       int           `json:"why_level"`
	RootCause      string        `json:"root_cause,omitempty"`
	ToolsUsed      []string      `json:"tools_used"` // the lookups the model made for a reply, like "list_logs"
	CreatedBy      *string       `json:"created_by"`
	CreatedAt      time.Time     `json:"created_at"`
	// ProviderConfig and Model are the conversation's, for display and for the call.
	ProviderConfig string `json:"provider_config"`
	Model          string `json:"model"`
	// Kind tells a typed message from a log analysis, whose content is the prompt sent;
	// LogFileIDs are the logs it analysed and LogFileNames the names of those that still exist.
	Kind         MessageKind `json:"kind"`
	LogFileIDs   []string    `json:"log_file_ids"`
	LogFileNames []string    `json:"log_file_names,omitempty"`
	// Instructions are what a user message came with for the system message of its answer (the
	// API's system_prompt), redacted.
	Instructions string `json:"system_prompt,omitempty"`
}

// ChatReply is how a reply ended, for the store to save in one transaction with its timeline
// events and the audit entry of the AI call.
type ChatReply struct {
	MessageID string
	Content   string
	Status    MessageStatus
	Error     string
	// WhyFrom and WhyTo are the incident's why level before and after the reply (WhyTo >= WhyFrom).
	WhyFrom, WhyTo int
	// RootCause is a root-cause statement the reply made that the incident did not have yet.
	RootCause string
	// The AI call, for the audit entry: never the plaintext.
	Provider  string
	Kind      ProviderKind
	Model     string
	BytesSent int
	SentHash  string
	PIITypes  []string
	// ToolsUsed notes the lookups the model made, in order.
	ToolsUsed []string
	// Usage counts the tokens of the call, where the provider reports them (0 otherwise).
	Usage ChatUsage
}

// ChatStore keeps conversations and messages.
type ChatStore interface {
	// AddChatTurn stores the redacted user message and the pending reply in the newest
	// conversation of the incident with that config and model, creating one when there is none.
	AddChatTurn(ctx context.Context, issueID, config, model string, text, instructions RedactedText) (user, reply *ConversationMessage, err error)
	// AddAnalysisTurn stores a log analysis like AddChatTurn: the prompt (redacted) as a user
	// message of kind analysis with the ids of the logs analysed, and the pending reply.
	AddAnalysisTurn(ctx context.Context, issueID, config, model string, prompt RedactedText, logIDs []string) (user, reply *ConversationMessage, err error)
	// FindChatMessage returns a message with its conversation's config and model.
	FindChatMessage(ctx context.Context, id string) (*ConversationMessage, error)
	// FindChatHistory returns every message of every conversation of the incident, by seq.
	FindChatHistory(ctx context.Context, issueID string) ([]*ConversationMessage, error)
	// FinishChatReply stores how a reply ended, its timeline events and the audit entry.
	FinishChatReply(ctx context.Context, r ChatReply) (*ConversationMessage, error)
	// RetryChatReply puts a reply that ended incomplete or in error back to pending.
	RetryChatReply(ctx context.Context, id string) (*ConversationMessage, error)
}

// ChatService is the triage chat: it stores what users type (redacted), asks the provider for a
// reply through the redaction gate, and follows the 5-Whys progress the replies report.
type ChatService struct {
	providers *ProviderService
	models    ChatModelFactory
	gate      *RedactionGate
	store     ChatStore
	issues    IssueService

	mu      sync.Mutex
	running map[string]context.CancelFunc
	// runs are the replies being produced in the background for their followers.
	runs map[string]*replyRun
	// digests caches the log digests of the system message.
	digests *digestCache
	// closing is set by Shutdown: no reply starts any more.
	closing bool
}

// errNoProvider is the error of a chat when no AI provider is configured: it says how to add one.
func errNoProvider() error {
	return Errorf(EUNAVAILABLE, "No AI provider is configured. An admin can add one under Settings → AI providers.")
}

// Send stores the user's message, redacted, and a pending reply from the provider config called
// configName (empty: the first config by name). The reply is produced by Stream.
func (s *ChatService) Send(ctx context.Context, issueID, text, configName string) (*ConversationMessage, *ConversationMessage, error) {
	return s.SendWithInstructions(ctx, issueID, text, configName, "")
}

// SendWithInstructions is Send with instructions for the answer — domain expertise, say — that
// are added, redacted, to the single system message of the request answering this message
// (after the persona, the category's prompt and the incident's facts), and kept with the
// message for a retry.
func (s *ChatService) SendWithInstructions(ctx context.Context, issueID, text, configName, instructions string) (*ConversationMessage, *ConversationMessage, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, nil, err
	}
	text = strings.TrimSpace(normaliseNewlines(text))
	if text == "" {
		return nil, nil, Invalid("Please correct the highlighted fields.", map[string]string{"message": "Type a message."})
	}
	if len(text) > MaxChatMessageLen || !utf8.ValidString(text) {
		return nil, nil, Invalid("Please correct the highlighted fields.", map[string]string{"message": "The message must be valid text of at most 32 000 bytes."})
	}
	instructions = strings.TrimSpace(normaliseNewlines(instructions))
	if len(instructions) > MaxChatMessageLen || !utf8.ValidString(instructions) {
		return nil, nil, Invalid("Please correct the highlighted fields.", map[string]string{"system_prompt": "The instructions must be valid text of at most 32 000 bytes."})
	}
	cfg, err := s.chatConfig(ctx, configName)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.issues.FindIssueByID(ctx, issueID); err != nil {
		return nil, nil, err
	}
	var extra RedactedText
	if instructions != "" {
		extra = s.gate.Text(instructions)
	}
	return s.store.AddChatTurn(ctx, issueID, cfg.Name, cfg.Model, s.gate.Text(text), extra)
}

// Running reports whether the reply is being produced in this process.
func (s *ChatService) Running(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.running[id]
	return ok
}

// Stop cancels the reply being produced; it is stored incomplete with its partial text. Stopping
// a reply that is not running does nothing.
func (s *ChatService) Stop(ctx context.Context, messageID string) error {
	if err := Require(ctx, RoleResponder); err != nil {
		return err
	}
	if _, err := s.store.FindChatMessage(ctx, messageID); err != nil {
		return err
	}
	s.mu.Lock()
	cancel := s.running[messageID]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return nil
}

// Stream produces the pending reply messageID: it calls the provider with the single system
// message, the incident's whole history and the new user message, all through the redaction
// gate, passes each token to onToken and stores the reply. A reply already finished is returned
// as it is, without a call. When ctx ends (the client left, or Stop) the partial reply is stored
// incomplete; a provider failure stores it as error with the provider's message.
func (s *ChatService) Stream(ctx context.Context, messageID string, onToken func(string) error) (*ConversationMessage, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	msg, err := s.store.FindChatMessage(ctx, messageID)
	if err != nil {
		return nil, err
	}
	if msg.Role != RoleAssistant {
		return nil, Errorf(ENOTFOUND, "Reply not found.")
	}
	if msg.Status != MessageStreaming {
		return msg, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	if _, busy := s.running[messageID]; busy {
		s.mu.Unlock()
		return nil, Errorf(ECONFLICT, "This reply is already being written.")
	}
	if s.running == nil {
		s.running = map[string]context.CancelFunc{}
	}
	s.running[messageID] = cancel
	if s.closing {
		cancel() // the portal is stopping: store what there is, which is nothing
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, messageID)
		s.mu.Unlock()
	}()

	// The outcome is stored even when ctx ended.
	storeCtx, storeCancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer storeCancel()
	fail := func(status MessageStatus, content, errText string, r ChatReply) (*ConversationMessage, error) {
		r.MessageID, r.Content, r.Status, r.Error = messageID, content, status, errText
		r.Provider, r.Model = msg.ProviderConfig, msg.Model
		return s.store.FinishChatReply(storeCtx, r)
	}

	req, userMsg, level, rootCause, err := s.buildRequest(ctx, msg)
	if err != nil {
		return nil, err
	}
	cfg, err := s.providers.ForCall(ctx, msg.ProviderConfig)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			err = Errorf(EUNAVAILABLE, "The AI provider %s no longer exists. Choose another one.", msg.ProviderConfig)
		}
		return fail(MessageError, "", ErrorMessage(err), ChatReply{WhyFrom: level, WhyTo: level})
	}
	model, err := s.models.ChatModel(*cfg)
	if err != nil {
		return fail(MessageError, "", testFailure(cfg, err), ChatReply{WhyFrom: level, WhyTo: level})
	}
	req.Model, req.Temperature, req.MaxTokens = cfg.Model, cfg.Temperature, cfg.MaxTokens
	callCtx := ctx
	if cfg.Timeout > 0 {
		var c context.CancelFunc
		callCtx, c = context.WithTimeout(ctx, cfg.Timeout)
		defer c()
	}
	var tools *chatTools
	if cfg.SupportsTools {
		tools = newChatTools(s.gate, msg.IssueID)
	}
	run := s.callWithTools(callCtx, model, req, tools, onToken)
	callErr := run.err
	hash, n := HashChatRequest(run.sent...)
	text := strings.ToValidUTF8(run.reply.String(), replacementChar)
	r := ChatReply{
		MessageID: messageID, Content: text, Status: MessageComplete,
		Provider: cfg.Name, Kind: cfg.Kind, Model: cfg.Model, BytesSent: n, SentHash: hash,
		PIITypes: MergePIITypes(userMsg.PIITypes, run.piiTypes), ToolsUsed: run.used, Usage: run.usage,
		WhyFrom: level, WhyTo: level,
	}
	switch {
	case callErr == nil && run.stopped:
		r.Status, r.Error = MessageIncomplete, errToolRounds
	case callErr == nil:
	case ctx.Err() != nil:
		r.Status = MessageIncomplete
	case errors.Is(callErr, context.DeadlineExceeded):
		r.Status, r.Error = MessageIncomplete, "The provider did not finish within its timeout."
	case run.toolErr:
		r.Status, r.Error = MessageError, "A log lookup failed: "+ErrorMessage(callErr)
		if text != "" {
			r.Status = MessageIncomplete
		}
	default:
		r.Status, r.Error = MessageError, testFailure(cfg, callErr)
		if text != "" {
			r.Status = MessageIncomplete
		}
	}
	// Progress counts only from finished replies.
	if r.Status == MessageComplete {
		p := triage.ParseWhyProgress(text)
		r.WhyTo = max(level, p.Level)
		if p.RootCause != "" && p.RootCause != rootCause {
			r.RootCause = p.RootCause
		}
	}
	return s.store.FinishChatReply(storeCtx, r)
}

// buildRequest assembles the request for the pending reply msg: one system message, first, then
// every earlier message of the incident by seq. It returns the user message the reply answers,
// the incident's why level and its latest root-cause statement.
func (s *ChatService) buildRequest(ctx context.Context, msg *ConversationMessage) (ChatRequest, *ConversationMessage, int, string, error) {
	issue, err := s.issues.FindIssueByID(ctx, msg.IssueID)
	if err != nil {
		return ChatRequest{}, nil, 0, "", err
	}
	steps, err := s.issues.FindFiveWhys(ctx, msg.IssueID)
	if err != nil {
		return ChatRequest{}, nil, 0, "", err
	}
	history, err := s.store.FindChatHistory(ctx, msg.IssueID)
	if err != nil {
		return ChatRequest{}, nil, 0, "", err
	}
	// The reply answers what came before it.
	for i, h := range history {
		if h.Seq >= msg.Seq {
			history = history[:i]
			break
		}
	}
	level, rootCause := IncidentWhyLevel(steps, history), ""
	var user *ConversationMessage
	msgs := []ChatMessage{{Role: RoleSystem}}
	for _, h := range history {
		if h.RootCause != "" {
			rootCause = h.RootCause
		}
		if h.Content == "" || (h.Role != RoleUser && h.Role != RoleAssistant) {
			continue
		}
		if h.Role == RoleUser {
			user = h
		}
		// A log analysis is the prompt the gate built from the logs' text: it goes out again as
		// it was sent, so values a reviewer kept stay kept. Any other message (typed text, which
		// was redacted when stored, and the model's replies) goes through the gate again, so a
		// value only a newer detector knows is replaced too.
		content := s.gate.Text(h.Content)
		if h.Kind == MessageKindAnalysis {
			content = derived(h.Content)
		}
		msgs = append(msgs, ChatMessage{Role: h.Role, Content: content.String()})
	}
	if user == nil {
		return ChatRequest{}, nil, 0, "", Errorf(ECONFLICT, "This reply has no message to answer.")
	}
	// The incident's own words go through the gate; the digests of its logs are made of the
	// gate's text already and are not redacted again (see derived).
	system := s.gate.Text(TriageSystemPrompt(issue, steps)).String() + s.logDigestSection(ctx, msg.IssueID)
	if user.Instructions != "" {
		system += s.gate.Text("\n\n## Instructions for this question\n" + user.Instructions + "\n").String()
	}
	msgs[0].Content = system
	return ChatRequest{Messages: msgs}, user, level, rootCause, nil
}

// HashChatRequest returns the SHA-256 (hex) and the size of the canonical form of what a reply
// sent, for the audit, which records these and never the text. The canonical form of a request
// is its model, messages (with an assistant message's tool calls, a tool result's call id and
// tool name) and tools as compact JSON; tool arguments and parameter schemas are re-encoded with
// their object keys sorted (and kept as a JSON string when they do not parse). A reply that used
// tools sends one request per round: the hash is then of the canonical forms of all rounds
// concatenated in order, and the size is their sum. A request without tools has the form
// {"model":…,"messages":[{"role":…,"content":…}]}, as before tools existed.
func HashChatRequest(reqs ...ChatRequest) (string, int) {
	type call struct {
		ID        string          `json:"id"`
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
		Signature string          `json:"signature,omitempty"`
	}
	type m struct {
		Role       ChatRole `json:"role"`
		Content    string   `json:"content"`
		ToolCalls  []call   `json:"tool_calls,omitempty"`
		ToolCallID string   `json:"tool_call_id,omitempty"`
		ToolName   string   `json:"tool_name,omitempty"`
	}
	type tool struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
	}
	h := sha256.New()
	n := 0
	for _, req := range reqs {
		body := struct {
			Model    string `json:"model"`
			Messages []m    `json:"messages"`
			Tools    []tool `json:"tools,omitempty"`
		}{Model: req.Model, Messages: make([]m, len(req.Messages))}
		for i, x := range req.Messages {
			body.Messages[i] = m{Role: x.Role, Content: x.Content, ToolCallID: x.ToolCallID, ToolName: x.ToolName}
			for _, c := range x.ToolCalls {
				body.Messages[i].ToolCalls = append(body.Messages[i].ToolCalls, call{c.ID, c.Name, canonicalJSON(c.Arguments), c.Signature})
			}
		}
		for _, t := range req.Tools {
			body.Tools = append(body.Tools, tool{t.Name, t.Description, canonicalJSON(t.Parameters)})
		}
		b, _ := json.Marshal(body)
		h.Write(b)
		n += len(b)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// Message returns a stored chat message.
func (s *ChatService) Message(ctx context.Context, id string) (*ConversationMessage, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	return s.store.FindChatMessage(ctx, id)
}
