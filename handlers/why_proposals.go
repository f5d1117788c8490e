package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// whyProposals returns the service that accepts proposed why answers.
func (s *Server) whyProposals() (*domain.WhyProposalService, error) {
	if s.chat == nil || s.chat.Store == nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "The triage chat is not available on this portal.")
	}
	return &domain.WhyProposalService{Messages: s.chat.Store, Issues: s.issues}, nil
}

// proposalNumber reads the :n parameter, the proposal's place in its reply from 1.
func proposalNumber(c echo.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || n > domain.MaxWhyProposals {
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
	svc, err := s.whyProposals()
	if err != nil {
		return nil, false, err
	}
	return svc.AcceptWhyProposal(c.Request().Context(), c.Param("id"), n)
}

// handleWhyProposalAccept accepts a proposed why answer from the chat: htmx gets the proposal's
// row marked accepted and the 5-Whys section out of band; a plain form post goes back to the
// incident's 5-Whys.
func (s *Server) handleWhyProposalAccept(c echo.Context) error {
	w, _, err := s.acceptProposal(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/issues/"+w.IssueID+"#"+views.FiveWhysID)
	}
	p, err := s.issuePage(c, w.IssueID)
	if err != nil {
		return err
	}
	// The accepted why holds the proposal's answer and evidence: the row is made from it.
	n, _ := proposalNumber(c)
	prop := domain.WhyProposal{Number: w.WhyNumber, Answer: w.Answer, Evidence: w.Evidence}
	row := views.WhyProposalRow{MessageID: c.Param("id"), N: n, Proposal: prop}
	return render(c, http.StatusOK, views.WhyProposalAccepted(row, p))
}

// handleAPIWhyProposalAccept accepts a proposed why answer: 201 with the entry it added, or 200
// with the entry whose answer it set.
func (s *Server) handleAPIWhyProposalAccept(c echo.Context) error {
	w, created, err := s.acceptProposal(c)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, w)
	}
	return c.JSON(http.StatusOK, w)
}

// logLines reads the lines the request asks for (from and to; to defaults to from) of a log's
// redacted text.
func (s *Server) logLines(c echo.Context) (*domain.LogLines, error) {
	from, err := strconv.Atoi(c.QueryParam("from"))
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "Give the first line as from=, a whole number from 1.")
	}
	to := from
	if v := c.QueryParam("to"); v != "" {
		if to, err = strconv.Atoi(v); err != nil {
			return nil, domain.Errorf(domain.EINVALID, "Give the last line as to=, a whole number from 1.")
		}
	}
	if err := domain.CheckLineRange(from, to); err != nil {
		return nil, err
	}
	if s.logs == nil || s.logs.Store == nil || s.logs.Blobs == nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "Logs are not available on this portal.")
	}
	return s.logs.Gate().Lines(c.Request().Context(), c.Param("id"), from, to)
}

// handleLogLines shows numbered lines of a log's redacted text: the lines alone for htmx (the
// cited lines under a 5-Whys entry), a page with a line anchor each otherwise.
func (s *Server) handleLogLines(c echo.Context) error {
	l, err := s.logLines(c)
	if err != nil {
		return err
	}
	if wantsFragment(c) {
		return render(c, http.StatusOK, views.CitedLines(l, false))
	}
	return s.renderPage(c, http.StatusOK, l.Log.FileName, views.NavIssues, views.CitedLinesPage(l))
}

// apiLogLines is the JSON shape of a range of lines of a log.
type apiLogLines struct {
	LogFileID string           `json:"log_file_id"`
	FileName  string           `json:"file_name"`
	From      int              `json:"from"`
	To        int              `json:"to"`
	Lines     []domain.LogLine `json:"lines"`
}

// handleAPILogLines returns numbered lines of a log's redacted text.
func (s *Server) handleAPILogLines(c echo.Context) error {
	l, err := s.logLines(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiLogLines{LogFileID: l.Log.ID, FileName: l.Log.FileName, From: l.From, To: l.To, Lines: l.Lines})
}
