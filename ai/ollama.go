package ai

import (
	"context"
	"encoding/json"
	"io"

	"tftsr/domain"
)

// ollamaModel streams from Ollama's native /api/chat endpoint, whose stream is newline-delimited
// JSON. There is no official Go client outside Ollama's own server module, so it is spoken
// directly.
type ollamaModel struct {
	s *settings
}

// ollamaMessage, ollamaOptions, ollamaRequest and ollamaLine are the JSON shapes of /api/chat.
type (
	ollamaMessage struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	ollamaOptions struct {
		Temperature *float64 `json:"temperature,omitempty"`
		NumPredict  int      `json:"num_predict,omitempty"`
	}
	ollamaRequest struct {
		Model    string          `json:"model"`
		Messages []ollamaMessage `json:"messages"`
		Stream   bool            `json:"stream"`
		Options  *ollamaOptions  `json:"options,omitempty"`
	}
	ollamaLine struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		Done            bool   `json:"done"`
		PromptEvalCount int    `json:"prompt_eval_count"`
		EvalCount       int    `json:"eval_count"`
		Error           string `json:"error"`
	}
)

// StreamChat implements domain.ChatModel.
func (m *ollamaModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatUsage, error) {
	var usage domain.ChatUsage
	c, err := m.s.newCall(req)
	if err != nil {
		return usage, err
	}
	d := m.s.start(ctx)
	defer d.stop()

	headers := map[string]string{"Accept": "application/x-ndjson"}
	if m.s.apiKey != "" {
		// Ollama needs no key; one set anyway is for a proxy in front of it.
		headers["Authorization"] = "Bearer " + m.s.apiKey
	}
	resp, err := m.s.post(d.ctx, m.s.baseURL+"/api/chat", headers, ollamaBody(c))
	if err != nil {
		return usage, m.s.fail(ctx, d, c.model, err)
	}
	defer resp.Body.Close()
	d.answered()

	lines := newLineReader(resp.Body)
	for {
		line, err := lines.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return usage, m.s.fail(ctx, d, c.model, err)
		}
		if len(line) == 0 {
			continue
		}
		var l ollamaLine
		if err := json.Unmarshal(line, &l); err != nil {
			return usage, m.s.fail(ctx, d, c.model, err)
		}
		if l.Error != "" {
			return usage, m.s.fail(ctx, d, c.model, &streamError{body: append([]byte(nil), line...)})
		}
		if err := emit(onToken, l.Message.Content); err != nil {
			return usage, m.s.fail(ctx, d, c.model, err)
		}
		if l.Done {
			usage = domain.ChatUsage{InputTokens: l.PromptEvalCount, OutputTokens: l.EvalCount}
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return usage, err
	}
	return usage, nil
}

// ollamaBody builds the request body: one system message first, then the turns.
func ollamaBody(c *call) ollamaRequest {
	body := ollamaRequest{Model: c.model, Stream: true}
	if c.system != "" {
		body.Messages = append(body.Messages, ollamaMessage{Role: "system", Content: c.system})
	}
	for _, t := range c.turns {
		body.Messages = append(body.Messages, ollamaMessage{Role: string(t.Role), Content: t.Content})
	}
	if c.temperature != nil || c.maxTokens > 0 {
		body.Options = &ollamaOptions{Temperature: c.temperature, NumPredict: c.maxTokens}
	}
	return body
}
