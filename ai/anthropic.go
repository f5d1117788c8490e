package ai

import (
	"context"
	"errors"

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
func (m *anthropicModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatUsage, error) {
	var usage domain.ChatUsage
	c, err := m.s.newCall(req)
	if err != nil {
		return usage, err
	}
	d := m.s.start(ctx)
	defer d.stop()

	stream := m.client.Messages.NewStreaming(d.ctx, anthropicParams(c))
	defer stream.Close()
	if err := stream.Err(); err != nil {
		return usage, m.s.fail(ctx, d, c.model, anthropicError(err, false))
	}
	d.answered()
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "message_start":
			usage.InputTokens = int(ev.Message.Usage.InputTokens)
			usage.OutputTokens = int(ev.Message.Usage.OutputTokens)
		case "content_block_delta":
			if ev.Delta.Type == "text_delta" {
				if err := emit(onToken, ev.Delta.Text); err != nil {
					return usage, m.s.fail(ctx, d, c.model, err)
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
		return usage, m.s.fail(ctx, d, c.model, anthropicError(err, true))
	}
	if err := ctx.Err(); err != nil {
		return usage, err
	}
	return usage, nil
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
	for _, t := range c.turns {
		if t.Role == domain.RoleAssistant {
			p.Messages = append(p.Messages, anthropic.NewAssistantMessage(anthropic.NewTextBlock(t.Content)))
		} else {
			p.Messages = append(p.Messages, anthropic.NewUserMessage(anthropic.NewTextBlock(t.Content)))
		}
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
