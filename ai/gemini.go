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
		Text string `json:"text"`
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
		GenerationConfig  geminiGenerationConfig `json:"generationConfig"`
	}
	geminiChunk struct {
		Candidates []struct {
			Content struct {
				Parts []struct {
					Text    string `json:"text"`
					Thought bool   `json:"thought"`
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
func (m *geminiModel) StreamChat(ctx context.Context, req domain.ChatRequest, onToken func(string) error) (domain.ChatUsage, error) {
	var usage domain.ChatUsage
	c, err := m.s.newCall(req)
	if err != nil {
		return usage, err
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
		return usage, m.s.fail(ctx, d, c.model, err)
	}
	defer resp.Body.Close()
	d.answered()

	events := newSSEReader(resp.Body)
	for {
		ev, err := events.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return usage, m.s.fail(ctx, d, c.model, err)
		}
		var chunk geminiChunk
		if err := json.Unmarshal(ev.data, &chunk); err != nil {
			return usage, m.s.fail(ctx, d, c.model, err)
		}
		if len(chunk.Error) > 0 && string(chunk.Error) != "null" {
			return usage, m.s.fail(ctx, d, c.model, &streamError{body: ev.data})
		}
		if u := chunk.UsageMetadata; u != nil {
			usage.InputTokens = u.PromptTokenCount
			usage.OutputTokens = u.CandidatesTokenCount
		}
		if len(chunk.Candidates) == 0 {
			continue
		}
		for _, p := range chunk.Candidates[0].Content.Parts {
			if p.Thought {
				continue
			}
			if err := emit(onToken, p.Text); err != nil {
				return usage, m.s.fail(ctx, d, c.model, err)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return usage, err
	}
	return usage, nil
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
	for _, t := range c.turns {
		role := "user"
		if t.Role == domain.RoleAssistant {
			role = "model"
		}
		body.Contents = append(body.Contents, geminiContent{Role: role, Parts: []geminiPart{{Text: t.Content}}})
	}
	return body
}
