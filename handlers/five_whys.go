package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
)

// handleFiveWhyAdd adds the next why from the incident page.
func (s *Server) handleFiveWhyAdd(c echo.Context) error {
	id := c.Param("id")
	n, _ := strconv.Atoi(c.FormValue("why_number"))
	in := domain.NewFiveWhy{WhyNumber: n, Question: c.FormValue("question"), Answer: c.FormValue("answer"), Evidence: c.FormValue("evidence")}
	_, err := s.issues.AddFiveWhy(c.Request().Context(), id, in)
	if err != nil && domain.ErrorCode(err) != domain.EINVALID && domain.ErrorCode(err) != domain.ECONFLICT {
		return err
	}
	p, perr := s.issuePage(c, id)
	if perr != nil {
		return perr
	}
	status := http.StatusOK
	if err != nil {
		p.WhyForm, p.WhyErrors = in, domain.ErrorFields(err)
		if p.WhyErrors == nil {
			p.WhyErrors = map[string]string{"why_number": domain.ErrorMessage(err)}
		}
		status = http.StatusUnprocessableEntity
	}
	return s.renderIssue(c, status, p)
}

// handleFiveWhyUpdate saves a why's answer and evidence.
func (s *Server) handleFiveWhyUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	answer, evidence := c.FormValue("answer"), c.FormValue("evidence")
	w, err := s.issues.UpdateFiveWhy(ctx, c.Param("id"), domain.FiveWhyUpdate{Answer: &answer, Evidence: &evidence})
	if err != nil {
		return err
	}
	p, err := s.issuePage(c, w.IssueID)
	if err != nil {
		return err
	}
	return s.renderIssue(c, http.StatusOK, p)
}
