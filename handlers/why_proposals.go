package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/domain/triage"
	"tftsr/views"
)

// proposalNumber reads the :n parameter, the proposal's place in its reply from 1.
func proposalNumber(c echo.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > triage.MaxWhyProposals {
		return 0, domain.Errorf(domain.ENOTFOUND, "This reply has no such proposal.")
	}
	return n, nil
}

// acceptProposal accepts the proposal the request names.
func (s *Server) acceptProposal(c echo.Context) (*domain.FiveWhy, bool, error) {
	n, err := proposalNumber(c)
	if err != nil {
		return nil, false, err
	}
	return s.whyProposals.AcceptWhyProposal(c.Request().Context(), c.Param("id"), n)
}

// handleWhyProposalAccept accepts a proposed why answer from the chat: htmx gets the proposal's
// row marked accepted, and the 5-Whys section and the timeline's events out of band; a plain
// form post goes back to the incident's 5-Whys.
func (s *Server) handleWhyProposalAccept(c echo.Context) error {
	w, _, err := s.acceptProposal(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, views.IssueTabPath(w.IssueID, views.TabFiveWhys))
	}
	p, err := s.issueSections(c, w.IssueID, domain.IssueFiveWhys|domain.IssueLogs|domain.IssueTimeline)
	if err != nil {
		return err
	}
	// The accepted why holds the proposal's answer and evidence: the row is made from it.
	n, _ := proposalNumber(c)
	prop := triage.WhyProposal{Number: w.WhyNumber, Answer: w.Answer, Evidence: w.Evidence}
	row := views.WhyProposalRow{MessageID: c.Param("id"), N: n, Proposal: prop}
	return render(c, http.StatusOK, views.WhyProposalAccepted(row, p))
}
