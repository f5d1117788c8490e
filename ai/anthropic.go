package ai

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"

	"tftsr/domain"
)

// anthropicDefaultMaxTokens is sent when neither the request nor the config sets a limit:
// Anthropic requires max_tokens.
const anthropicDefaultMaxTokens = 4096

// anthropicModel streams from Anthropic's Messages API through the official anthropic-sdk-go.
type anthropicModel struct {
	s      *settings
	client anthropic.Client
}

// newAnthropicModel returns the model of s. The client ignores ANTHROPIC_* environment variables
// and profiles, so only the config's key and URL are used.
func newAnthropicModel(s *settings) *anthropicModel {
	opts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithBaseURL(s.baseURL),
		option.WithHTTPClient(s.client),
		option.WithMaxRetries(0),
	}
	if s.apiKey != "" {
		opts = append(opts, option.WithAPIKey(s.apiKey))
	}
	return &anthropicModel{s: s, client: anthropic.NewClient(opts...)}
}

// StreamChat implements domain.ChatModel.
// A tool call is a tool_use content block whose input arrives as input_json_delta pieces.
func (m *anthropicModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	var res domain.ChatResult
	usage := &res.Usage
	c, err := m.s.newCall(req)
	if err != nil {
		return res, err
	}
	d := m.s.start(ctx)
	defer d.stop()

	stream := m.client.Messages.NewStreaming(d.ctx, anthropicParams(c))
	defer stream.Close()
	if err := stream.Err(); err != nil {
		return res, m.s.fail(ctx, d, c.model, anthropicError(err, false))
	}
	d.answered()
	calls := map[int64]*anthropicToolUse{}
	var order []int64
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "content_block_start":
			if ev.ContentBlock.Type == "tool_use" {
				calls[ev.Index] = &anthropicToolUse{id: ev.ContentBlock.ID, name: ev.ContentBlock.Name}
				order = append(order, ev.Index)
			}
		case "message_start":
			usage.InputTokens = int(ev.Message.Usage.InputTokens)
			usage.OutputTokens = int(ev.Message.Usage.OutputTokens)
		case "content_block_delta":
			switch ev.Delta.Type {
			case "text_delta":
				if err := emit(onToken, ev.Delta.Text); err != nil {
					return res, m.s.fail(ctx, d, c.model, err)
				}
			case "input_json_delta":
				if call := calls[ev.Index]; call != nil {
					call.input.WriteString(ev.Delta.PartialJSON)
				}
			}
		case "message_delta":
			usage.OutputTokens = int(ev.Usage.OutputTokens)
			if ev.Usage.InputTokens > 0 {
				usage.InputTokens = int(ev.Usage.InputTokens)
			}
		}
	}
	if err := stream.Err(); err != nil {
		return res, m.s.fail(ctx, d, c.model, anthropicError(err, true))
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	for i, idx := range order {
		call := calls[idx]
		if call.id == "" {
			call.id = callID(i)
		}
		res.ToolCalls = append(res.ToolCalls, domain.ToolCall{ID: call.id, Name: call.name, Arguments: json.RawMessage(call.input.String())})
	}
	return res, nil
}

// anthropicToolUse is a streamed tool_use block being put together.
type anthropicToolUse struct {
	id, name string
	input    strings.Builder
}

// anthropicParams builds the request body: the system prompt in the top-level system field and
// the turns as user and assistant messages.
func anthropicParams(c *call) anthropic.MessageNewParams {
	p := anthropic.MessageNewParams{Model: anthropic.Model(c.model), MaxTokens: anthropicDefaultMaxTokens}
	if c.maxTokens > 0 {
		p.MaxTokens = int64(c.maxTokens)
	}
	if c.system != "" {
		p.System = []anthropic.TextBlockParam{{Text: c.system}}
	}
	for i := 0; i < len(c.turns); i++ {
		t := c.turns[i]
		switch t.Role {
		case domain.RoleAssistant:
			var blocks []anthropic.ContentBlockParamUnion
			if t.Content != "" || len(t.ToolCalls) == 0 {
				blocks = append(blocks, anthropic.NewTextBlock(t.Content))
			}
			for _, tc := range t.ToolCalls {
				var input map[string]any
				_ = json.Unmarshal(toolArgs(tc.Arguments), &input)
				blocks = append(blocks, anthropic.NewToolUseBlock(tc.ID, input, tc.Name))
			}
			p.Messages = append(p.Messages, anthropic.NewAssistantMessage(blocks...))
		case domain.RoleTool:
			// The results of one round's calls go back together, in one user turn.
			var blocks []anthropic.ContentBlockParamUnion
			for ; i < len(c.turns) && c.turns[i].Role == domain.RoleTool; i++ {
				blocks = append(blocks, anthropic.NewToolResultBlock(c.turns[i].ToolCallID, c.turns[i].Content, false))
			}
			i--
			p.Messages = append(p.Messages, anthropic.NewUserMessage(blocks...))
		default:
			p.Messages = append(p.Messages, anthropic.NewUserMessage(anthropic.NewTextBlock(t.Content)))
		}
	}
	for _, tool := range c.tools {
		schema := toolSchema(tool.Parameters)
		in := anthropic.ToolInputSchemaParam{Properties: schema["properties"], ExtraFields: map[string]any{}}
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if name, ok := r.(string); ok {
					in.Required = append(in.Required, name)
				}
			}
		}
		for k, v := range schema {
			if k != "type" && k != "properties" && k != "required" {
				in.ExtraFields[k] = v
			}
		}
		tp := anthropic.ToolParam{Name: tool.Name, InputSchema: in}
		if tool.Description != "" {
			tp.Description = anthropic.String(tool.Description)
		}
		p.Tools = append(p.Tools, anthropic.ToolUnionParam{OfTool: &tp})
	}
	if c.temperature != nil {
		p.Temperature = anthropic.Float(*c.temperature)
	}
	return p
}

// anthropicError turns the SDK's errors into statusError and streamError. The SDK reports an
// error event inside an open stream as an *anthropic.Error with the stream's 200 status.
func anthropicError(err error, streaming bool) error {
	var apiErr *anthropic.Error
	if errors.As(err, &apiErr) {
		if streaming && apiErr.StatusCode < 400 {
			return &streamError{body: []byte(apiErr.RawJSON())}
		}
		return &statusError{status: apiErr.StatusCode, body: []byte(apiErr.RawJSON())}
	}
	return err
}
