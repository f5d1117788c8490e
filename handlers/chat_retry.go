package handlers

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// handleChatRetry asks again for a reply that was stopped or failed: the bubble is replaced by a
// pending one, which opens the reply's event stream.
func (s *Server) handleChatRetry(c echo.Context) error {
	chat, err := s.chatService()
	if err != nil {
		return err
	}
	reply, err := chat.Retry(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	startReply(c, chat, reply.ID)
	return render(c, http.StatusOK, views.ChatBubble(reply))
}

// handleAPIChatRetry asks again for a reply that was stopped or failed and returns it like the
// chat API does: as JSON once complete, or streamed with Accept: text/event-stream.
func (s *Server) handleAPIChatRetry(c echo.Context) error {
	chat, err := s.chatService()
	if err != nil {
		return err
	}
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
	if !strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/event-stream") {
		r, err := chat.Stream(ctx, replyID, nil)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, answer(r))
	}
	w := startSSE(c)
	stop := w.heartbeat(sseHeartbeat)
	r, err := chat.Stream(ctx, replyID, func(tok string) error {
		b, _ := json.Marshal(tok)
		return w.event("token", string(b))
	})
	stop()
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		b, _ := json.Marshal(apiError{apiErrorBody{Code: domain.ErrorCode(err), Message: domain.ErrorMessage(err)}})
		_ = w.event("error", string(b))
		return nil
	}
	b, _ := json.Marshal(answer(r))
	_ = w.event("done", string(b))
	return nil
}
