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
	form := views.NoteForm{Type: c.FormValue("event_type"), Description: c.FormValue("description"), When: c.FormValue("occurred_at")}
	if form.Type == "" {
		form.Type = domain.EventNote
	}
	n := domain.NewTimelineEvent{EventType: form.Type, Description: form.Description}
	at, err := domain.ParseFormTime(form.When, domain.LocationFromContext(c.Request().Context()))
	if err != nil {
		err = domain.Invalid("Please correct the highlighted fields.", map[string]string{"occurred_at": "Give the time as a date and a time, like 2026-03-01 14:05."})
	} else {
		n.OccurredAt = at
		_, err = s.issues.AddTimelineEvent(c.Request().Context(), id, n)
	}
	if err != nil && domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	p, perr := s.changedProps(c, id, domain.IssueTimeline)
	if perr != nil {
		return perr
	}
	status := http.StatusOK
	if err != nil {
		fields := domain.ErrorFields(err)
		for _, f := range []string{"description", "event_type", "occurred_at"} {
			if msg := fields[f]; msg != "" && p.NoteError == "" {
				p.NoteError = msg
			}
		}
		if p.NoteError == "" {
			p.NoteError = domain.ErrorMessage(err)
		}
		p.NoteForm = form
		status = http.StatusUnprocessableEntity
	}
	return s.renderChanged(c, status, p, views.TimelineSection(p))
}

// handleIssueTimes sets the incident's own times from the times card's form, whose fields are
// datetime-local values in UTC; an empty field clears the time. htmx gets the card with the
// header and the timeline out of band, or the card with what is wrong.
func (s *Server) handleIssueTimes(c echo.Context) error {
	id := c.Param("id")
	var upd domain.IssueUpdate
	form := map[string]string{}
	fields := map[string]string{}
	params, err := c.FormParams()
	if err != nil {
		return domain.Errorf(domain.EINVALID, "The form could not be read.")
	}
	for _, it := range domain.IncidentTimes {
		v, ok := params[it.Field]
		if !ok {
			continue
		}
		form[it.Field] = v[0]
		at, err := domain.ParseFormTime(v[0], domain.LocationFromContext(c.Request().Context()))
		if err != nil {
			fields[it.Field] = "Give the time as a date and a time, like 2026-03-01 14:05."
			continue
		}
		f := domain.TimeField{Set: true, Time: at}
		switch it.Field {
		case "started_at":
			upd.StartedAt = f
		case "detected_at":
			upd.DetectedAt = f
		case "mitigated_at":
			upd.MitigatedAt = f
		case "resolved_at":
			upd.ResolvedAt = f
		}
	}
	ctx := c.Request().Context()
	if err := domain.Require(ctx, domain.RoleResponder); err != nil {
		return err
	}
	is, err := s.issues.FindIssueByID(ctx, id)
	if err != nil {
		return err
	}
	id = is.ID
	if len(fields) > 0 {
		err = domain.Invalid("Please correct the highlighted fields.", fields)
	} else if !upd.Empty() {
		_, err = s.issues.UpdateIssue(ctx, id, upd)
	}
	if err != nil && domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	if err == nil && !isHTMX(c) {
		return redirect(c, "/issues/"+id)
	}
	p, perr := s.changedProps(c, id, domain.IssueTimeline)
	if perr != nil {
		return perr
	}
	status := http.StatusOK
	if err != nil {
		p.TimesErrors, p.TimesForm = domain.ErrorFields(err), form
		if len(p.TimesErrors) == 0 {
			p.TimesErrors = map[string]string{"": domain.ErrorMessage(err)}
		}
		status = http.StatusUnprocessableEntity
	}
	return s.renderChanged(c, status, p, views.IncidentTimesChanged(p))
}
