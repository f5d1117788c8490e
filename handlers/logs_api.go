package handlers

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/domain/digest"
)

// maxJSONLogBytes bounds the JSON body of a log uploaded by content; larger logs go as
// multipart files, which stream.
const maxJSONLogBytes = 10 << 20

// handleAPILogUpload is upload_log_file: multipart "file" parts (several allowed; plain text,
// .gz or .zip), or JSON {file_name, content}. One file that became one log answers 201 with
// the LogFile; several files or a zip archive answer 201 with {items, total}. Nothing is
// stored unless every file is accepted.
func (s *Server) handleAPILogUpload(c echo.Context) error {
	ctx := c.Request().Context()
	up, err := s.logs.NewUpload(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	defer up.Abort()
	files := 0
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) {
		if err := s.addJSONLog(c, up); err != nil {
			return err
		}
		files = 1
	} else if files, err = readLogUpload(c, up); err != nil {
		return err
	}
	logs, err := up.Commit()
	if err != nil {
		return err
	}
	if files == 1 && len(logs) == 1 && !up.HadArchive() {
		return c.JSON(http.StatusCreated, logs[0])
	}
	return c.JSON(http.StatusCreated, newList(logs, len(logs)))
}

// addJSONLog adds the log of a JSON {file_name, content} body.
func (s *Server) addJSONLog(c echo.Context, up *domain.LogUpload) error {
	body, err := io.ReadAll(io.LimitReader(tooLargeBody{c.Request().Body}, maxJSONLogBytes+1))
	if err != nil {
		return bodyError(err)
	}
	if len(body) > maxJSONLogBytes {
		return domain.Errorf(domain.ETOOLARGE, "A log sent as JSON may be at most 10 MB; upload larger logs as multipart files.")
	}
	c.Request().Body = io.NopCloser(bytes.NewReader(body))
	var in struct {
		FileName string `json:"file_name"`
		Content  string `json:"content"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Content == "" {
		return domain.Invalid("The log is empty.", map[string]string{"content": "Give the log's text."})
	}
	return up.AddText(domain.SafeFileName(in.FileName, "pasted.log"), in.Content)
}

// handleAPILogList is list_all_log_files: logs across incidents, newest first, searched by
// file name and by the redacted text.
func (s *Server) handleAPILogList(c echo.Context) error {
	page, perPage, err := pageParams(c)
	if err != nil {
		return err
	}
	items, total, err := s.logs.FindLogs(c.Request().Context(), domain.LogFilter{
		Search: c.QueryParam("search"), IssueID: c.QueryParam("issue_id"), Page: page, PerPage: perPage,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(items, total))
}

// handleAPILogGet returns a log.
func (s *Server) handleAPILogGet(c echo.Context) error {
	l, err := s.logs.FindLog(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

// handleAPILogContent is get_log_file_content: the text as text/plain, streamed; the redacted
// text once redactions are applied. ?original=true gives an admin the original of a redacted
// log (audited); ?download=1 asks the browser to save it.
func (s *Server) handleAPILogContent(c echo.Context) error {
	original := c.QueryParam("original") == "true" || c.QueryParam("original") == "1"
	l, r, err := s.logs.Open(c.Request().Context(), c.Param("id"), original, "api")
	if err != nil {
		return err
	}
	defer r.Close()
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	if c.QueryParam("download") != "" {
		name := l.FileName
		if l.Redacted && !original {
			name = redactedName(name)
		}
		h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	return c.Stream(http.StatusOK, echo.MIMETextPlainCharsetUTF8, r)
}

// redactedName marks a downloaded redacted log's name: app.log → app.redacted.log.
func redactedName(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[:i] + ".redacted" + name[i:]
	}
	return name + ".redacted"
}

// handleAPILogDelete deletes a log and its stored text.
func (s *Server) handleAPILogDelete(c echo.Context) error {
	if err := s.logs.DeleteLog(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// detectedSpan is a detected value in the detect_pii response.
type detectedSpan struct {
	ID          string `json:"id"`
	PIIType     string `json:"pii_type"`
	Start       int64  `json:"start"`
	End         int64  `json:"end"`
	Original    string `json:"original"`
	Replacement string `json:"replacement"`
	Approved    bool   `json:"approved"`
}

// handleAPILogDetect is detect_pii: the detector runs again over the log's text; values found
// again keep their review (no duplicates), and the response lists every kept value with its
// text, for a reviewer.
func (s *Server) handleAPILogDetect(c echo.Context) error {
	l, spans, err := s.logs.DetectPII(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]detectedSpan, len(spans))
	for i, sp := range spans {
		out[i] = detectedSpan{ID: sp.ID, PIIType: sp.PIIType, Start: sp.Start, End: sp.End,
			Original: sp.Original, Replacement: sp.Replacement, Approved: sp.Approved}
	}
	return c.JSON(http.StatusOK, map[string]any{
		"log_file_id": l.ID, "spans": out, "total_found": len(out),
	})
}

// handleAPILogRedactions is apply_redactions. With approved_span_ids the spans listed are
// redacted and the others kept; without it (absent or null) the review as stored applies.
func (s *Server) handleAPILogRedactions(c echo.Context) error {
	var in struct {
		ApprovedSpanIDs []string `json:"approved_span_ids"`
	}
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	l, err := s.logs.ApplyRedactions(c.Request().Context(), c.Param("id"), in.ApprovedSpanIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"log_file_id": l.ID, "redacted": l.Redacted, "data_hash": l.RedactedHash})
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

// logDigestResponse is the JSON answer of the log digest API.
type logDigestResponse struct {
	LogFileID string `json:"log_file_id"`
	digest.Digest
	Truncated bool `json:"truncated"`
}

// handleAPILogDigest returns a log's template digest as JSON: every template, the most
// relevant first, with redacted examples.
func (s *Server) handleAPILogDigest(c echo.Context) error {
	id := c.Param("id")
	d, err := s.logs.Digest(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, logDigestResponse{LogFileID: id, Digest: d.Digest, Truncated: d.Truncated})
}
