package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// handleAnalyze starts a log analysis from the incident page: the checked logs are analysed
// and the answer is the chat turn (the analysis card and the reply bubble that opens its
// stream), appended to the chat log. Without htmx it goes back to the incident's chat.
func (s *Server) handleAnalyze(c echo.Context) error {
	chat, err := s.chatService()
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return domain.Errorf(domain.EINVALID, "The form could not be read.")
	}
	user, reply, err := chat.Analyze(c.Request().Context(), c.Param("id"), form["log_file_ids"], form.Get("config"))
	if err != nil {
		return err
	}
	startReply(c, chat, reply.ID)
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/issues/"+user.IssueID+"#"+views.ChatID)
	}
	return render(c, http.StatusOK, views.ChatTurn(user, reply))
}

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
	chat, err := s.chatService()
	if err != nil {
		return err
	}
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
