package handlers

import (
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
)

// maxScanBytes bounds the text the scan endpoint takes.
const maxScanBytes = 32 << 10

// handleAPIPIIScan scans text for PII without storing anything: a text/plain body of at most
// 32 KiB answers {spans, total_found, redacted_text}, spans in the shape of `tftsr pii scan
// --json` (byte offsets).
func (s *Server) handleAPIPIIScan(c echo.Context) error {
	if err := domain.Require(c.Request().Context(), domain.RoleViewer); err != nil {
		return err
	}
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/plain" {
			return domain.Errorf(domain.EUNSUPPORTED, "Send the text as text/plain.")
		}
	}
	body, err := io.ReadAll(io.LimitReader(tooLargeBody{c.Request().Body}, maxScanBytes+1))
	if err != nil {
		return bodyError(err)
	}
	if len(body) > maxScanBytes {
		return domain.Errorf(domain.ETOOLARGE, "The text may be at most 32 KiB.")
	}
	if !utf8.Valid(body) {
		return domain.Errorf(domain.EINVALID, "The text must be valid UTF-8.")
	}
	return c.JSON(http.StatusOK, domain.ScanPII(string(body)))
}
