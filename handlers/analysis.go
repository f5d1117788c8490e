package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// handleAnalyze starts a log analysis from the incident page: the checked logs are analysed
// and the answer is the incident's Chat tab, where the analysis card and the reply bubble that
// opens its stream are: htmx opens the tab (HX-Location), a plain form goes there.
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
	chatTab := views.IssueTabPath(user.IssueID, views.TabChat)
	s.rememberProvider(c, form.Get("config"))
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, chatTab)
	}
	loc, err := json.Marshal(map[string]string{"path": chatTab, "target": "#" + views.IssuePanelID, "swap": "outerHTML"})
	if err != nil {
		return err
	}
	c.Response().Header().Set(hxLocation, string(loc))
	return c.NoContent(http.StatusNoContent)
}
