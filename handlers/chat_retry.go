package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/views"
)

// handleChatRetry asks again for a reply that was stopped or failed: the bubble is replaced by a
// pending one, which opens the reply's event stream.
func (s *Server) handleChatRetry(c echo.Context) error {
	chat := s.chat
	reply, err := chat.Retry(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	startReply(c, chat, reply.ID)
	return render(c, http.StatusOK, views.ChatBubble(reply))
}
