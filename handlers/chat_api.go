package handlers

import (
	"net/http"
	"tftsr/domain"

	"github.com/labstack/echo/v4"
)

// handleAPIChatRetry asks again for a reply that was stopped or failed and returns it like the
// chat API does: as JSON once complete, or streamed with Accept: text/event-stream.
func (s *Server) handleAPIChatRetry(c echo.Context) error {
	chat := s.chat
	reply, err := chat.Retry(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.streamAPIReply(c, chat, reply.ID, func(r *domain.ConversationMessage) any { return r })
}

// streamAPIReply produces a pending reply for the API: collected into one JSON answer, or, with
// Accept: text/event-stream, as "token" events (data: the token as a JSON string) and a final
// "done" event (data: the JSON answer) or an "error" event (data: the API error body).
func (s *Server) streamAPIReply(c echo.Context, chat *domain.ChatService, replyID string, answer func(*domain.ConversationMessage) any) error {
	ctx := c.Request().Context()
	if !wantsSSE(c) {
		r, err := chat.Stream(ctx, replyID, nil)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, answer(r))
	}
	w := startSSE(c)
	stop := w.heartbeat(sseHeartbeat)
	r, err := chat.Stream(ctx, replyID, func(tok string) error { return w.eventJSON("token", tok) })
	stop()
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		_ = w.eventJSON("error", apiError{apiErrorBody{Code: domain.ErrorCode(err), Message: domain.ErrorMessage(err)}})
		return nil
	}
	_ = w.eventJSON("done", answer(r))
	return nil
}

// handleAPIChat sends a message and returns the reply: collected into one JSON answer, or, with
// Accept: text/event-stream, as "token" events (data: the token as a JSON string) and a final
// "done" event (data: the JSON answer).
func (s *Server) handleAPIChat(c echo.Context) error {
	chat := s.chat
	var in apiChatRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	user, reply, err := chat.SendWithInstructions(ctx, c.Param("id"), in.Message, in.Config, in.SystemPrompt)
	if err != nil {
		return err
	}
	return s.streamAPIReply(c, chat, reply.ID, func(r *domain.ConversationMessage) any {
		return apiChatResponse{ConversationID: user.ConversationID, UserMessage: user, Reply: r, WhyLevel: r.WhyLevel,
			PIIRedacted: len(user.PIITypes) > 0, PIITypes: piiTypes(user)}
	})
}
