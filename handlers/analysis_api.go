package handlers

import (
	"tftsr/domain"

	"github.com/labstack/echo/v4"
)

// apiAnalyzeRequest is the body of POST /api/v1/issues/{id}/analyze.
type apiAnalyzeRequest struct {
	LogFileIDs []string `json:"log_file_ids"`
	Config     string   `json:"config"`
}

// analysisResult is the answer of POST /api/v1/issues/{id}/analyze, and the data of its done
// event. BytesSent is the size of the analysis prompt (the user message sent).
type analysisResult struct {
	ConversationID string                      `json:"conversation_id"`
	UserMessage    *domain.ConversationMessage `json:"user_message"`
	Reply          *domain.ConversationMessage `json:"reply"`
	LogFileIDs     []string                    `json:"log_file_ids"`
	PIIRedacted    bool                        `json:"pii_redacted"`
	PIITypes       []string                    `json:"pii_types"`
	BytesSent      int                         `json:"bytes_sent"`
	// The sections of the reply (empty until it is complete).
	domain.AnalysisFindings
}

// handleAPIAnalyze analyses logs of an incident and returns the reply like the chat API does:
// collected into one JSON answer, or, with Accept: text/event-stream, as "token" events and a
// final "done" (or "error") event.
func (s *Server) handleAPIAnalyze(c echo.Context) error {
	chat := s.chat
	var in apiAnalyzeRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	user, reply, err := chat.Analyze(c.Request().Context(), c.Param("id"), in.LogFileIDs, in.Config)
	if err != nil {
		return err
	}
	return s.streamAPIReply(c, chat, reply.ID, func(r *domain.ConversationMessage) any {
		res := analysisResult{ConversationID: user.ConversationID, UserMessage: user, Reply: r, LogFileIDs: user.LogFileIDs,
			PIIRedacted: len(user.PIITypes) > 0, PIITypes: piiTypes(user), BytesSent: len(user.Content),
			AnalysisFindings: domain.AnalysisFindings{KeyFindings: []string{}}}
		if r.Status == domain.MessageComplete {
			res.AnalysisFindings = domain.ParseAnalysis(r.Content)
		}
		return res
	})
}
