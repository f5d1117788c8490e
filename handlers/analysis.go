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
	chat := s.chat
	form, err := c.FormParams()
	if err != nil {
		return domain.Errorf(domain.EINVALID, "The form could not be read.")
	}
	user, reply, err := chat.Analyze(c.Request().Context(), c.Param("id"), form["log_file_ids"], form.Get("config"))
	if err != nil {
		return err
	}
	startReply(c, chat, reply.ID)
	s.rememberProvider(c, form.Get("config"))
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/issues/"+user.IssueID+"#"+views.ChatID)
	}
	return render(c, http.StatusOK, views.ChatTurn(user, reply))
}
