// Package aitest helps tests check what the portal sent to an AI provider.
package aitest

import (
	"encoding/json"

	"tftsr/domain"
)

// OpenAIBody is a recorded OpenAI chat completions request body: its model, messages (with an
// assistant message's tool calls and a tool result's call id) and tools.
type OpenAIBody struct {
	Model    string `json:"model"`
	Messages []struct {
		Role       string `json:"role"`
		Content    string `json:"content"`
		ToolCallID string `json:"tool_call_id"`
		ToolCalls  []struct {
			ID       string `json:"id"`
			Type     string `json:"type"`
			Function struct {
				Name      string `json:"name"`
				Arguments string `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	} `json:"messages"`
	Tools []struct {
		Type     string `json:"type"`
		Function struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
		} `json:"function"`
	} `json:"tools"`
}

// ParseOpenAIBody reads a recorded request body.
func ParseOpenAIBody(body []byte) (OpenAIBody, error) {
	var b OpenAIBody
	err := json.Unmarshal(body, &b)
	return b, err
}

// Request rebuilds the domain request the body was made from, so that a test can hash it with
// domain.HashChatRequest as the audit does. A tool result's tool name, which the wire format does
// not carry, is the name of the call it answers.
func (b OpenAIBody) Request() domain.ChatRequest {
	req := domain.ChatRequest{Model: b.Model}
	names := map[string]string{}
	for _, m := range b.Messages {
		cm := domain.ChatMessage{Role: domain.ChatRole(m.Role), Content: m.Content, ToolCallID: m.ToolCallID}
		for _, c := range m.ToolCalls {
			cm.ToolCalls = append(cm.ToolCalls, domain.ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: json.RawMessage(c.Function.Arguments)})
			names[c.ID] = c.Function.Name
		}
		if cm.Role == domain.RoleTool {
			cm.ToolName = names[m.ToolCallID]
		}
		req.Messages = append(req.Messages, cm)
	}
	for _, t := range b.Tools {
		req.Tools = append(req.Tools, domain.ToolSpec{Name: t.Function.Name, Description: t.Function.Description, Parameters: t.Function.Parameters})
	}
	return req
}
