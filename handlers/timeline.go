package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// handleTimelineNote adds a user-written note to the timeline: htmx gets the timeline section,
// with the note's message when it is refused.
func (s *Server) handleTimelineNote(c echo.Context) error {
	id := c.Param("id")
	_, err := s.issues.AddTimelineEvent(c.Request().Context(), id, domain.NewTimelineEvent{
		EventType: domain.EventNote, Description: c.FormValue("description"),
	})
	if err != nil && domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	p, perr := s.changedProps(c, id, domain.IssueTimeline)
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
	return s.renderChanged(c, status, p, views.TimelineSection(p))
}
