package handlers

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain/digest"
	"tftsr/views"
)

// digestTextBytes bounds the text of a log that its digest reads.
const digestTextBytes = 32 << 20

// digestPageTemplates is the number of templates the log page shows.
const digestPageTemplates = 50

// logDigest mines the text of a log as it leaves the portal (redacted, or with every
// detected value replaced before review), up to digestTextBytes. It reports whether the
// text was cut.
func (s *Server) logDigest(ctx context.Context, id string) (digest.Digest, bool, error) {
	l, err := s.logs.FindLog(ctx, id)
	if err != nil {
		return digest.Digest{}, false, err
	}
	text, err := s.logs.Gate().Log(ctx, l.ID, digestTextBytes)
	if err != nil {
		return digest.Digest{}, false, err
	}
	m := digest.NewMiner()
	m.Write([]byte(text.String()))
	return m.Digest(), text.Truncated(), nil
}

// handleLogDigest returns the template digest fragment of a log's page, which the page
// loads after it renders.
func (s *Server) handleLogDigest(c echo.Context) error {
	d, truncated, err := s.logDigest(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.LogDigest(views.LogDigestProps{
		Digest: d, Limit: digestPageTemplates, Truncated: truncated,
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
	d, truncated, err := s.logDigest(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, logDigestResponse{LogFileID: id, Digest: d, Truncated: truncated})
}
