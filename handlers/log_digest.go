package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain/digest"
	"tftsr/views"
)

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
