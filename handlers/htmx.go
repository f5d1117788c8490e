package handlers

import "github.com/labstack/echo/v4"

// htmx request and response header names.
const (
	hxRequest        = "HX-Request"
	hxBoosted        = "HX-Boosted"
	hxHistoryRestore = "HX-History-Restore-Request"
	hxTarget         = "HX-Target"
	hxRedirect       = "HX-Redirect"
	hxLocation       = "HX-Location"
	hxRetarget       = "HX-Retarget"
	hxReswap         = "HX-Reswap"
)

// isHTMX reports whether the request came from htmx.
func isHTMX(c echo.Context) bool { return c.Request().Header.Get(hxRequest) == "true" }

// wantsFragment reports whether the response should be a fragment rather than a whole page: an
// htmx request that is neither boosted nor a history restore.
func wantsFragment(c echo.Context) bool {
	h := c.Request().Header
	return isHTMX(c) && h.Get(hxBoosted) != "true" && h.Get(hxHistoryRestore) != "true"
}
