package ai

import (
	"context"
	"errors"
	"io"
	"net/url"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

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
func (m *openAIModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatUsage, error) {
	var usage domain.ChatUsage
	c, err := m.s.newCall(req)
	if err != nil {
		return usage, err
	}
	d := m.s.start(ctx)
	defer d.stop()

	stream := m.svc.NewStreaming(d.ctx, m.params(c))
	defer stream.Close()
	if err := stream.Err(); err != nil {
		return usage, m.s.fail(ctx, d, c.model, openAIError(err))
	}
	d.answered()
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
				return usage, m.s.fail(ctx, d, c.model, err)
			}
		}
	}
	if err := stream.Err(); err != nil {
		return usage, m.s.fail(ctx, d, c.model, openAIError(err))
	}
	if err := ctx.Err(); err != nil {
		return usage, err
	}
	return usage, nil
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
		if t.Role == domain.RoleAssistant {
			msgs = append(msgs, openai.AssistantMessage(t.Content))
		} else {
			msgs = append(msgs, openai.UserMessage(t.Content))
		}
	}
	p := openai.ChatCompletionNewParams{Model: c.model, Messages: msgs}
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
