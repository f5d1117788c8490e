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
		Role      string           `json:"role"`
		Content   string           `json:"content"`
		ToolCalls []ollamaToolCall `json:"tool_calls,omitempty"`
		ToolName  string           `json:"tool_name,omitempty"`
	}
	ollamaToolCall struct {
		ID       string `json:"id,omitempty"`
		Function struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		} `json:"function"`
	}
	ollamaTool struct {
		Type     string             `json:"type"`
		Function ollamaToolFunction `json:"function"`
	}
	ollamaToolFunction struct {
		Name        string         `json:"name"`
		Description string         `json:"description,omitempty"`
		Parameters  map[string]any `json:"parameters"`
	}
	ollamaOptions struct {
		Temperature *float64 `json:"temperature,omitempty"`
		NumPredict  int      `json:"num_predict,omitempty"`
	}
	ollamaRequest struct {
		Model    string          `json:"model"`
		Messages []ollamaMessage `json:"messages"`
		Tools    []ollamaTool    `json:"tools,omitempty"`
		Stream   bool            `json:"stream"`
		Options  *ollamaOptions  `json:"options,omitempty"`
	}
	ollamaLine struct {
		Message struct {
			Content   string           `json:"content"`
			ToolCalls []ollamaToolCall `json:"tool_calls"`
		} `json:"message"`
		Done            bool   `json:"done"`
		PromptEvalCount int    `json:"prompt_eval_count"`
		EvalCount       int    `json:"eval_count"`
		Error           string `json:"error"`
	}
)

// StreamChat implements domain.ChatModel.
// Tool calls come whole in a message's tool_calls, with the arguments as an object; older
// servers give them no id, so one is made up.
func (m *ollamaModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	var res domain.ChatResult
	c, err := m.s.newCall(req)
	if err != nil {
		return res, err
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
		return res, m.s.fail(ctx, d, c.model, err)
	}
	defer resp.Body.Close()
	d.answered()

	lines := newLineReader(resp.Body)
	for {
		line, err := lines.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return res, m.s.fail(ctx, d, c.model, err)
		}
		if len(line) == 0 {
			continue
		}
		var l ollamaLine
		if err := json.Unmarshal(line, &l); err != nil {
			return res, m.s.fail(ctx, d, c.model, err)
		}
		if l.Error != "" {
			return res, m.s.fail(ctx, d, c.model, &streamError{body: append([]byte(nil), line...)})
		}
		if err := emit(onToken, l.Message.Content); err != nil {
			return res, m.s.fail(ctx, d, c.model, err)
		}
		for _, tc := range l.Message.ToolCalls {
			id := tc.ID
			if id == "" {
				id = callID(len(res.ToolCalls))
			}
			res.ToolCalls = append(res.ToolCalls, domain.ToolCall{ID: id, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
		}
		if l.Done {
			res.Usage = domain.ChatUsage{InputTokens: l.PromptEvalCount, OutputTokens: l.EvalCount}
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// ollamaBody builds the request body: one system message first, then the turns.
func ollamaBody(c *call) ollamaRequest {
	body := ollamaRequest{Model: c.model, Stream: true}
	if c.system != "" {
		body.Messages = append(body.Messages, ollamaMessage{Role: "system", Content: c.system})
	}
	for _, t := range c.turns {
		msg := ollamaMessage{Role: string(t.Role), Content: t.Content}
		for _, tc := range t.ToolCalls {
			var call ollamaToolCall
			call.Function.Name, call.Function.Arguments = tc.Name, toolArgs(tc.Arguments)
			msg.ToolCalls = append(msg.ToolCalls, call)
		}
		if t.Role == domain.RoleTool {
			msg.ToolName = t.ToolName
		}
		body.Messages = append(body.Messages, msg)
	}
	for _, tool := range c.tools {
		body.Tools = append(body.Tools, ollamaTool{Type: "function", Function: ollamaToolFunction{
			Name: tool.Name, Description: tool.Description, Parameters: toolSchema(tool.Parameters),
		}})
	}
	if c.temperature != nil || c.maxTokens > 0 {
		body.Options = &ollamaOptions{Temperature: c.temperature, NumPredict: c.maxTokens}
	}
	return body
}
