package handlers

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// maxPasteNameLen bounds the file_name field of a pasted log.
const maxPasteNameLen = 1024

// readLogUpload streams the logs of a multipart upload into up: every part named "file" is a
// file (plain text, .gz or .zip), and a "content" part is pasted text named by the
// "file_name" part before it. Nothing is held whole in memory. It returns how many files
// were sent.
func readLogUpload(c echo.Context, up *domain.LogUpload) (int, error) {
	r := c.Request()
	if r.MultipartForm != nil {
		// A middleware parsed the form already (a CSRF token looked up in it); use the parts
		// it spooled.
		return readParsedLogUpload(r.MultipartForm, up)
	}
	r.Body = tooLargeBody{r.Body}
	mr, err := r.MultipartReader()
	if err != nil {
		return 0, domain.Errorf(domain.EUNSUPPORTED, "Send logs as multipart/form-data, each file in a field named \"file\".")
	}
	files, pasteName := 0, ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return files, multipartError(err)
		}
		switch part.FormName() {
		case "file":
			if part.FileName() == "" {
				continue // an empty file field
			}
			files++
			if err := up.Add(part.FileName(), part); err != nil {
				return files, err
			}
		case "file_name":
			b, err := io.ReadAll(io.LimitReader(part, maxPasteNameLen))
			if err != nil {
				return files, multipartError(err)
			}
			pasteName = string(b)
		case "content":
			files++
			if err := up.Add(domain.SafeFileName(pasteName, "pasted.log"), part); err != nil {
				return files, err
			}
		}
		part.Close()
	}
	return files, nil
}

// readParsedLogUpload adds the files of an already parsed multipart form.
func readParsedLogUpload(form *multipart.Form, up *domain.LogUpload) (int, error) {
	defer form.RemoveAll()
	files := 0
	for _, fh := range form.File["file"] {
		f, err := fh.Open()
		if err != nil {
			return files, err
		}
		files++
		err = up.Add(fh.Filename, f)
		f.Close()
		if err != nil {
			return files, err
		}
	}
	if content := form.Value["content"]; len(content) > 0 && content[0] != "" {
		name := ""
		if n := form.Value["file_name"]; len(n) > 0 {
			name = n[0]
		}
		files++
		if err := up.AddText(domain.SafeFileName(name, "pasted.log"), content[0]); err != nil {
			return files, err
		}
	}
	return files, nil
}

// multipartError describes a broken multipart body.
func multipartError(err error) error {
	var derr *domain.Error
	if errors.As(err, &derr) {
		return err
	}
	return domain.Errorf(domain.EINVALID, "The upload could not be read: it is not a complete multipart form.")
}

// bodyError describes a request body that could not be read.
func bodyError(err error) error {
	var derr *domain.Error
	if errors.As(err, &derr) {
		return err
	}
	return domain.Errorf(domain.EINVALID, "The request body could not be read.")
}

// tooLargeBody turns the body limit's error into a domain error, so that the upload reports it
// as such wherever it surfaces.
type tooLargeBody struct{ io.ReadCloser }

func (b tooLargeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var he *echo.HTTPError
	if err != nil && errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
		err = domain.Errorf(domain.ETOOLARGE, "The upload is too large.")
	}
	return n, err
}

// handleLogUpload stores the files (or pasted text) of the incident page's upload form, then
// shows the incident again: the logs section and what else changed (LogsUploaded) for htmx, a
// redirect otherwise. The page's script uploads through the API instead, for its
// progress bars.
func (s *Server) handleLogUpload(c echo.Context) error {
	ctx := c.Request().Context()
	up, err := s.logs.NewUpload(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	defer up.Abort()
	if _, err := readLogUpload(c, up); err != nil {
		return err
	}
	logs, err := up.Commit()
	if err != nil {
		return err
	}
	if isHTMX(c) {
		p, err := s.logSections(c, logs[0].IssueID, domain.IssueTimeline)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, views.LogsUploaded(p))
	}
	if len(logs) == 1 {
		s.flash(c, "Uploaded "+logs[0].FileName+".")
	} else {
		s.flash(c, "Uploaded "+strconv.Itoa(len(logs))+" logs.")
	}
	return c.Redirect(http.StatusSeeOther, views.IssueTabPath(logs[0].IssueID, views.TabLogs))
}

// handleLogReview shows a log's review page: for a responder reviewing it, the list of the
// distinct detected values (or, with view=text, its text, paged); for everyone else its text.
func (s *Server) handleLogReview(c echo.Context) error {
	return s.renderLogReview(c, http.StatusOK, c.Param("id"), reviewStateOf(c.QueryParam), false)
}

// handleLogOriginal shows an admin the original text of a redacted log; each view is audited.
func (s *Server) handleLogOriginal(c echo.Context) error {
	st := reviewStateOf(c.QueryParam)
	st.View = views.ReviewViewText
	return s.renderLogReview(c, http.StatusOK, c.Param("id"), st, true)
}

// reviewStateOf reads where a reviewer is on the review page (view, text page, value filter
// and page) from query or form values.
func reviewStateOf(get func(string) string) views.ReviewState {
	st := views.ReviewState{
		View: views.ReviewViewValues, Page: queryPage(get("page")), ValuePage: queryPage(get("vpage")),
		PIIType: get("type"), Search: get("q"),
	}
	if get("view") == views.ReviewViewText {
		st.View = views.ReviewViewText
	}
	return st
}

// queryPage reads a page number, 1 when it is missing or not a number.
func queryPage(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// renderLogReview renders the review page, or its body for htmx.
func (s *Server) renderLogReview(c echo.Context, status int, id string, st views.ReviewState, original bool) error {
	ctx := c.Request().Context()
	l, pg, err := s.logs.Page(ctx, id, st.Page, original)
	if err != nil {
		return err
	}
	counts, err := s.logs.SpanCounts(ctx, l.ID)
	if err != nil {
		return err
	}
	p := views.LogReviewProps{
		Log: l, Page: pg, Counts: counts, CSRF: csrfToken(c), State: st,
		CanEdit: domain.Require(ctx, domain.RoleResponder) == nil,
		IsAdmin: domain.Require(ctx, domain.RoleAdmin) == nil,
	}
	if p.ValuesView() {
		p.Values, err = s.logs.Values(ctx, l.ID, domain.LogValueFilter{
			PIIType: st.PIIType, Search: st.Search, Page: st.ValuePage, PerPage: domain.LogValuesPerPage,
		})
		if err != nil {
			return err
		}
	}
	if l.Redacted && p.CanEdit {
		next, err := s.logs.NextUnreviewedLog(ctx, l)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		p.Next = next
	}
	if wantsFragment(c) {
		return render(c, status, views.LogReviewBody(p))
	}
	return s.renderPage(c, status, l.FileName, views.NavIssues, views.LogReviewPage(p))
}

// handleLogSpanReview approves or rejects one detected value.
func (s *Server) handleLogSpanReview(c echo.Context) error {
	return s.reviewDecision(c, domain.SpanSelection{SpanID: c.Param("span")})
}

// handleLogValueReview approves or rejects every occurrence of a value across the whole log.
func (s *Server) handleLogValueReview(c echo.Context) error {
	return s.reviewDecision(c, domain.SpanSelection{ValueKey: c.Param("key")})
}

// handleLogReviewType approves or rejects every detected value of a type, or all of them.
func (s *Server) handleLogReviewType(c echo.Context) error {
	return s.reviewDecision(c, domain.SpanSelection{PIIType: c.FormValue("pii_type")})
}

// reviewDecision approves (redact) or rejects (keep) the selected spans, then shows the review
// again where the decision was made.
func (s *Server) reviewDecision(c echo.Context, sel domain.SpanSelection) error {
	approved, err := strconv.ParseBool(c.FormValue("approved"))
	if err != nil {
		return domain.Invalid("Say whether to redact.", map[string]string{"approved": "Give true or false."})
	}
	if _, err := s.logs.SetSpanApproval(c.Request().Context(), c.Param("id"), sel, approved); err != nil {
		return err
	}
	st := reviewStateOf(c.FormValue)
	if isHTMX(c) {
		return s.renderLogReview(c, http.StatusOK, c.Param("id"), st, false)
	}
	return c.Redirect(http.StatusSeeOther, views.ReviewURL(c.Param("id"), st))
}

// handleLogApply applies the reviewed redactions.
func (s *Server) handleLogApply(c echo.Context) error {
	l, err := s.logs.ApplyRedactions(c.Request().Context(), c.Param("id"), nil)
	if err != nil {
		return err
	}
	if isHTMX(c) {
		return s.renderLogReview(c, http.StatusOK, l.ID, views.ReviewState{Page: 1, ValuePage: 1}, false)
	}
	s.flash(c, "Redactions applied to "+l.FileName+".")
	return c.Redirect(http.StatusSeeOther, "/logs/"+l.ID)
}

// handleLogView returns the dialog that shows a log's text as it leaves the portal: redacted
// once redactions are applied, with every detected value replaced before.
func (s *Server) handleLogView(c echo.Context) error {
	ctx := c.Request().Context()
	l, err := s.logs.FindLog(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	text, err := s.logs.Gate().Log(ctx, l.ID, domain.LogPageBytes)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.LogDialog(l, text.String(), text.Truncated()))
}

// handleLogDelete deletes a log and its objects, then shows the incident again: the log list
// and what else changed (LogsDeleted) for htmx, a redirect otherwise.
func (s *Server) handleLogDelete(c echo.Context) error {
	ctx := c.Request().Context()
	l, err := s.logs.FindLog(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.logs.DeleteLog(ctx, l.ID); err != nil {
		return err
	}
	if isHTMX(c) {
		p, err := s.logSections(c, l.IssueID, 0)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, views.LogsDeleted(p))
	}
	s.flash(c, "Deleted "+l.FileName+".")
	return c.Redirect(http.StatusSeeOther, views.IssueTabPath(l.IssueID, views.TabLogs))
}

// logSections loads what the answer to a change of an incident's logs shows: the logs, the
// other parts named and, for editors, the chat providers that the analyze form offers.
func (s *Server) logSections(c echo.Context, issueID string, parts domain.IssueParts) (views.IssuePageProps, error) {
	p, err := s.issueSections(c, issueID, domain.IssueLogs|parts)
	if err != nil {
		return p, err
	}
	if p.CanEdit {
		if p.ChatProviders, err = s.ai.ListProviderConfigs(c.Request().Context()); err != nil {
			return p, err
		}
		p.ChatProvider = s.preferredProvider(c.Request().Context(), p.ChatProviders)
	}
	return p, nil
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

// digestPageTemplates is the number of templates the log page shows.
const digestPageTemplates = 50

// handleLogDigest returns the template digest fragment of a log's page, which the page
// loads after it renders.
func (s *Server) handleLogDigest(c echo.Context) error {
	d, err := s.logs.Digest(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.LogDigest(views.LogDigestProps{
		Digest: d.Digest, Limit: digestPageTemplates, Truncated: d.Truncated,
	}))
}
