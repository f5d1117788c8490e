package handlers

import (
	"net/http"
	"tftsr/domain"

	"github.com/labstack/echo/v4"
)

// handleTimelineNote adds a user-written note to the timeline.
func (s *Server) handleTimelineNote(c echo.Context) error {
	id := c.Param("id")
	_, err := s.issues.AddTimelineEvent(c.Request().Context(), id, domain.NewTimelineEvent{
		EventType: domain.EventNote, Description: c.FormValue("description"),
	})
	if err != nil && domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	p, perr := s.issuePage(c, id)
	if perr != nil {
		return perr
	}
	status := http.StatusOK
	if err != nil {
		p.NoteError = domain.ErrorFields(err)["description"]
		if p.NoteError == "" {
			p.NoteError = domain.ErrorMessage(err)
		}
		status = http.StatusUnprocessableEntity
	}
	return s.renderIssue(c, status, p)
}
