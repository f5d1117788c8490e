package ai

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strings"

	"tftsr/domain"
)

// geminiModel streams from Gemini's streamGenerateContent endpoint with alt=sse. It speaks the
// REST protocol directly: Google's Go SDK (google.golang.org/genai) pulls in the Google Cloud
// auth stack for what is one POST and an SSE reader here.
type geminiModel struct {
	s *settings
}

// geminiPart, geminiContent, geminiRequest and geminiChunk are the JSON shapes of the
// generateContent protocol.
type (
	geminiPart struct {
		Text             string                  `json:"text,omitempty"`
		FunctionCall     *geminiFunctionCall     `json:"functionCall,omitempty"`
		FunctionResponse *geminiFunctionResponse `json:"functionResponse,omitempty"`
		ThoughtSignature string                  `json:"thoughtSignature,omitempty"`
	}
	geminiFunctionCall struct {
		ID   string          `json:"id,omitempty"`
		Name string          `json:"name"`
		Args json.RawMessage `json:"args"`
	}
	geminiFunctionResponse struct {
		ID       string         `json:"id,omitempty"`
		Name     string         `json:"name"`
		Response map[string]any `json:"response"`
	}
	geminiFunctionDeclaration struct {
		Name        string         `json:"name"`
		Description string         `json:"description,omitempty"`
		Parameters  map[string]any `json:"parameters"`
	}
	geminiTool struct {
		FunctionDeclarations []geminiFunctionDeclaration `json:"functionDeclarations"`
	}
	geminiContent struct {
		Role  string       `json:"role,omitempty"`
		Parts []geminiPart `json:"parts"`
	}
	geminiGenerationConfig struct {
		Temperature     *float64 `json:"temperature,omitempty"`
		MaxOutputTokens int      `json:"maxOutputTokens,omitempty"`
	}
	geminiRequest struct {
		SystemInstruction *geminiContent         `json:"systemInstruction,omitempty"`
		Contents          []geminiContent        `json:"contents"`
		Tools             []geminiTool           `json:"tools,omitempty"`
		GenerationConfig  geminiGenerationConfig `json:"generationConfig"`
	}
	geminiChunk struct {
		Candidates []struct {
			Content struct {
				Parts []struct {
					Text             string              `json:"text"`
					Thought          bool                `json:"thought"`
					FunctionCall     *geminiFunctionCall `json:"functionCall"`
					ThoughtSignature string              `json:"thoughtSignature"`
				} `json:"parts"`
			} `json:"content"`
		} `json:"candidates"`
		UsageMetadata *struct {
			PromptTokenCount     int `json:"promptTokenCount"`
			CandidatesTokenCount int `json:"candidatesTokenCount"`
		} `json:"usageMetadata"`
		Error json.RawMessage `json:"error"`
	}
)

// StreamChat implements domain.ChatModel.
// A tool call is a functionCall part, complete in one chunk; Gemini gives no id unless asked,
// so one is made up when missing.
func (m *geminiModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatResult, error) {
	var res domain.ChatResult
	usage := &res.Usage
	c, err := m.s.newCall(req)
	if err != nil {
		return res, err
	}
	d := m.s.start(ctx)
	defer d.stop()

	model := strings.TrimPrefix(c.model, "models/")
	endpoint := m.s.baseURL + "/v1beta/models/" + url.PathEscape(model) + ":streamGenerateContent?alt=sse"
	headers := map[string]string{"Accept": "text/event-stream"}
	if m.s.apiKey != "" {
		headers["x-goog-api-key"] = m.s.apiKey
	}
	resp, err := m.s.post(d.ctx, endpoint, headers, geminiBody(c))
	if err != nil {
		return res, m.s.fail(ctx, d, c.model, err)
	}
	defer resp.Body.Close()
	d.answered()

	events := newSSEReader(resp.Body)
	for {
		ev, err := events.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return res, m.s.fail(ctx, d, c.model, err)
		}
		var chunk geminiChunk
		if err := json.Unmarshal(ev.data, &chunk); err != nil {
			return res, m.s.fail(ctx, d, c.model, err)
		}
		if len(chunk.Error) > 0 && string(chunk.Error) != "null" {
			return res, m.s.fail(ctx, d, c.model, &streamError{body: ev.data})
		}
		if u := chunk.UsageMetadata; u != nil {
			usage.InputTokens = u.PromptTokenCount
			usage.OutputTokens = u.CandidatesTokenCount
		}
		if len(chunk.Candidates) == 0 {
			continue
		}
		for _, p := range chunk.Candidates[0].Content.Parts {
			if fc := p.FunctionCall; fc != nil {
				id := fc.ID
				if id == "" {
					id = callID(len(res.ToolCalls))
				}
				res.ToolCalls = append(res.ToolCalls, domain.ToolCall{ID: id, Name: fc.Name, Arguments: fc.Args, Signature: p.ThoughtSignature})
				continue
			}
			if p.Thought {
				continue
			}
			if err := emit(onToken, p.Text); err != nil {
				return res, m.s.fail(ctx, d, c.model, err)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// geminiBody builds the request body: the system prompt as systemInstruction and the turns as
// user and model contents.
func geminiBody(c *call) geminiRequest {
	body := geminiRequest{
		GenerationConfig: geminiGenerationConfig{Temperature: c.temperature, MaxOutputTokens: c.maxTokens},
	}
	if c.system != "" {
		body.SystemInstruction = &geminiContent{Parts: []geminiPart{{Text: c.system}}}
	}
	for i := 0; i < len(c.turns); i++ {
		t := c.turns[i]
		switch t.Role {
		case domain.RoleAssistant:
			var parts []geminiPart
			if t.Content != "" || len(t.ToolCalls) == 0 {
				parts = append(parts, geminiPart{Text: t.Content})
			}
			for _, tc := range t.ToolCalls {
				parts = append(parts, geminiPart{
					FunctionCall:     &geminiFunctionCall{ID: geminiID(tc.ID), Name: tc.Name, Args: toolArgs(tc.Arguments)},
					ThoughtSignature: tc.Signature,
				})
			}
			body.Contents = append(body.Contents, geminiContent{Role: "model", Parts: parts})
		case domain.RoleTool:
			// The results of one round's calls go back together, in one user turn.
			var parts []geminiPart
			for ; i < len(c.turns) && c.turns[i].Role == domain.RoleTool; i++ {
				r := c.turns[i]
				parts = append(parts, geminiPart{FunctionResponse: &geminiFunctionResponse{
					ID: geminiID(r.ToolCallID), Name: r.ToolName, Response: map[string]any{"content": r.Content},
				}})
			}
			i--
			body.Contents = append(body.Contents, geminiContent{Role: "user", Parts: parts})
		default:
			body.Contents = append(body.Contents, geminiContent{Role: "user", Parts: []geminiPart{{Text: t.Content}}})
		}
	}
	if len(c.tools) > 0 {
		var decls []geminiFunctionDeclaration
		for _, tool := range c.tools {
			decls = append(decls, geminiFunctionDeclaration{Name: tool.Name, Description: tool.Description, Parameters: toolSchema(tool.Parameters)})
		}
		body.Tools = []geminiTool{{FunctionDeclarations: decls}}
	}
	return body
}

// geminiID returns the id of a call to send back to Gemini: the one it gave, not the ones made
// up here for calls that came without.
func geminiID(id string) string {
	if strings.HasPrefix(id, "call_") {
		return ""
	}
	return id
}
