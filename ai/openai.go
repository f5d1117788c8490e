package ai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/shared"

	"tftsr/domain"
)

// openAIModel streams from an OpenAI-compatible /chat/completions endpoint through the official
// openai-go SDK. Mistral speaks the same protocol.
type openAIModel struct {
	s   *settings
	svc openai.ChatCompletionService
}

// newOpenAIModel returns the model of s. The service is built from explicit options only, so
// that OPENAI_* environment variables of the portal's process never reach a provider.
func newOpenAIModel(s *settings) *openAIModel {
	opts := []option.RequestOption{
		option.WithBaseURL(s.baseURL),
		option.WithHTTPClient(s.client),
		option.WithMaxRetries(0),
	}
	if s.apiKey != "" {
		opts = append(opts, option.WithAPIKey(s.apiKey))
	}
	return &openAIModel{s: s, svc: openai.NewChatCompletionService(opts...)}
}

// StreamChat implements domain.ChatModel.
// Tool calls arrive as fragments keyed by index: the first carries the id and name, the rest
// pieces of the arguments, which are joined.
func (m *openAIModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	var res domain.ChatResult
	usage := &res.Usage
	c, err := m.s.newCall(req)
	if err != nil {
		return res, err
	}
	d := m.s.start(ctx)
	defer d.stop()

	stream := m.svc.NewStreaming(d.ctx, m.params(c))
	defer stream.Close()
	if err := stream.Err(); err != nil {
		return res, m.s.fail(ctx, d, c.model, openAIError(err))
	}
	d.answered()
	calls := map[int64]*openAIToolCall{}
	var order []*openAIToolCall
	for stream.Next() {
		chunk := stream.Current()
		if chunk.JSON.Usage.Valid() {
			usage.InputTokens = int(chunk.Usage.PromptTokens)
			usage.OutputTokens = int(chunk.Usage.CompletionTokens)
		}
		for _, choice := range chunk.Choices {
			if choice.Index != 0 {
				continue
			}
			if err := emit(onToken, choice.Delta.Content); err != nil {
				return res, m.s.fail(ctx, d, c.model, err)
			}
			for _, tc := range choice.Delta.ToolCalls {
				// Some servers send every call whole at index 0: a new id starts a new call.
				call := calls[tc.Index]
				if call == nil || (tc.ID != "" && call.id != "" && tc.ID != call.id) {
					call = &openAIToolCall{}
					calls[tc.Index] = call
					order = append(order, call)
				}
				if tc.ID != "" {
					call.id = tc.ID
				}
				if tc.Function.Name != "" {
					call.name = tc.Function.Name
				}
				call.args.WriteString(tc.Function.Arguments)
			}
		}
	}
	if err := stream.Err(); err != nil {
		return res, m.s.fail(ctx, d, c.model, openAIError(err))
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	for i, call := range order {
		if call.id == "" {
			call.id = callID(i)
		}
		res.ToolCalls = append(res.ToolCalls, domain.ToolCall{ID: call.id, Name: call.name, Arguments: json.RawMessage(call.args.String())})
	}
	return res, nil
}

// openAIToolCall is a streamed tool call being put together.
type openAIToolCall struct {
	id, name string
	args     strings.Builder
}

// params builds the request body: one system message first, then the turns. Mistral rejects
// unknown fields, so stream_options is sent to OpenAI-compatible servers only (Mistral reports
// usage in its last chunk anyway). OpenAI itself takes max_completion_tokens, which its reasoning
// models require; other servers know max_tokens.
func (m *openAIModel) params(c *call) openai.ChatCompletionNewParams {
	var msgs []openai.ChatCompletionMessageParamUnion
	if c.system != "" {
		msgs = append(msgs, openai.SystemMessage(c.system))
	}
	for _, t := range c.turns {
		switch {
		case t.Role == domain.RoleAssistant && len(t.ToolCalls) > 0:
			a := openai.ChatCompletionAssistantMessageParam{}
			if t.Content != "" {
				a.Content.OfString = openai.String(t.Content)
			}
			for _, tc := range t.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
					OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
						ID:       tc.ID,
						Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: tc.Name, Arguments: string(toolArgs(tc.Arguments))},
					},
				})
			}
			msgs = append(msgs, openai.ChatCompletionMessageParamUnion{OfAssistant: &a})
		case t.Role == domain.RoleAssistant:
			msgs = append(msgs, openai.AssistantMessage(t.Content))
		case t.Role == domain.RoleTool:
			msgs = append(msgs, openai.ToolMessage(t.Content, t.ToolCallID))
		default:
			msgs = append(msgs, openai.UserMessage(t.Content))
		}
	}
	p := openai.ChatCompletionNewParams{Model: c.model, Messages: msgs}
	for _, tool := range c.tools {
		fn := shared.FunctionDefinitionParam{Name: tool.Name, Parameters: shared.FunctionParameters(toolSchema(tool.Parameters))}
		if tool.Description != "" {
			fn.Description = openai.String(tool.Description)
		}
		p.Tools = append(p.Tools, openai.ChatCompletionFunctionTool(fn))
	}
	if m.s.kind == domain.ProviderOpenAI {
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	}
	if c.temperature != nil {
		p.Temperature = openai.Float(*c.temperature)
	}
	if c.maxTokens > 0 {
		if u, err := url.Parse(m.s.baseURL); err == nil && u.Hostname() == "api.openai.com" {
			p.MaxCompletionTokens = openai.Int(int64(c.maxTokens))
		} else {
			p.MaxTokens = openai.Int(int64(c.maxTokens))
		}
	}
	return p
}

// openAIError turns the SDK's errors into statusError and streamError, leaving others as they are.
func openAIError(err error) error {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		// The SDK keeps only the "error" member; Mistral and others put the message elsewhere,
		// so the whole body, which the SDK puts back on the response, is read again.
		body := []byte(apiErr.RawJSON())
		if apiErr.Response != nil && apiErr.Response.Body != nil {
			if b, err := io.ReadAll(io.LimitReader(apiErr.Response.Body, maxErrorBody)); err == nil && len(b) > 0 {
				body = b
			}
		}
		return &statusError{status: apiErr.StatusCode, body: body}
	}
	var streamErr *ssestream.StreamError
	if errors.As(err, &streamErr) {
		return &streamError{body: streamErr.Event.Data}
	}
	return err
}
