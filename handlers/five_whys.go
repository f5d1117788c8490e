package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// handleFiveWhyAdd adds the next why from the incident page: htmx gets the 5-Whys and the
// timeline's events (FiveWhysChanged), or the 5-Whys with the form's field messages when the
// entry is refused.
func (s *Server) handleFiveWhyAdd(c echo.Context) error {
	id := c.Param("id")
	n, _ := strconv.Atoi(c.FormValue("why_number"))
	in := domain.NewFiveWhy{WhyNumber: n, Question: c.FormValue("question"), Answer: c.FormValue("answer"), Evidence: c.FormValue("evidence")}
	_, err := s.issues.AddFiveWhy(c.Request().Context(), id, in)
	if err != nil && domain.ErrorCode(err) != domain.EINVALID && domain.ErrorCode(err) != domain.ECONFLICT {
		return err
	}
	parts := domain.IssueFiveWhys | domain.IssueLogs
	if err == nil {
		parts |= domain.IssueTimeline
	}
	p, perr := s.changedProps(c, id, parts)
	if perr != nil {
		return perr
	}
	if err != nil {
		p.WhyForm, p.WhyErrors = in, domain.ErrorFields(err)
		if p.WhyErrors == nil {
			p.WhyErrors = map[string]string{"why_number": domain.ErrorMessage(err)}
		}
		return s.renderChanged(c, http.StatusUnprocessableEntity, p, views.FiveWhysSection(p))
	}
	return s.renderChanged(c, http.StatusOK, p, views.FiveWhysChanged(p))
}

// handleFiveWhyUpdate saves a why's answer and evidence: htmx gets the 5-Whys and the
// timeline's events (FiveWhysChanged).
func (s *Server) handleFiveWhyUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	answer, evidence := c.FormValue("answer"), c.FormValue("evidence")
	w, err := s.issues.UpdateFiveWhy(ctx, c.Param("id"), domain.FiveWhyUpdate{Answer: &answer, Evidence: &evidence})
	if err != nil {
		return err
	}
	p, err := s.changedProps(c, w.IssueID, domain.IssueFiveWhys|domain.IssueLogs|domain.IssueTimeline)
	if err != nil {
		return err
	}
	return s.renderChanged(c, http.StatusOK, p, views.FiveWhysChanged(p))
}
