package handlers

import (
	"net/http"
	"tftsr/domain"

	"github.com/labstack/echo/v4"
)

// handleAPITimelineList is get_timeline_events, oldest first.
func (s *Server) handleAPITimelineList(c echo.Context) error {
	evs, err := s.issues.FindTimelineEvents(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(evs, len(evs)))
}

// handleAPITimelineAdd is add_timeline_event.
func (s *Server) handleAPITimelineAdd(c echo.Context) error {
	var in domain.NewTimelineEvent
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ev, err := s.issues.AddTimelineEvent(c.Request().Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ev)
}
