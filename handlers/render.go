package handlers

import (
	"bytes"
	"net/http"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render renders a component into a buffer with the request's context, then writes it with the
// status. A render error reaches the error handler before anything is written.
func render(c echo.Context, status int, comp templ.Component) error {
	buf := bufferPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufferPool.Put(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Add(echo.HeaderVary, hxRequest)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(buf.Bytes())
	return err
}

// renderPage renders fragment alone for an htmx request and wrapped in the layout otherwise.
func (s *Server) renderPage(c echo.Context, status int, title, nav string, fragment templ.Component) error {
	if wantsFragment(c) {
		return render(c, status, fragment)
	}
	return render(c, status, views.Layout(s.pageProps(c, title, nav), fragment))
}

// pageProps builds the layout's data for the request.
func (s *Server) pageProps(c echo.Context, title, nav string) views.PageProps {
	ctx := c.Request().Context()
	team := "TFTSR"
	if u := domain.UserFromContext(ctx); u != nil {
		if st, err := s.settings.GetSettings(ctx); err == nil && st.TeamName != "" {
			team = st.TeamName
		}
	}
	csrf := csrfToken(c)
	return views.PageProps{
		Title:    title,
		Nav:      nav,
		User:     domain.UserFromContext(ctx),
		CSRF:     csrf,
		TeamName: team,
		Flash:    s.popFlash(c),
	}
}

// popFlash returns and forgets the flash message, or "" when the request has no session (an
// error before the session was loaded, or a bearer-token API call).
func (s *Server) popFlash(c echo.Context) string {
	if loaded, _ := c.Get(sessionLoadedKey).(bool); !loaded {
		return ""
	}
	return s.sessions.PopString(c.Request().Context(), flashKey)
}

// flash stores a message shown once on the next page.
func (s *Server) flash(c echo.Context, msg string) {
	if loaded, _ := c.Get(sessionLoadedKey).(bool); loaded {
		s.sessions.Put(c.Request().Context(), flashKey, msg)
	}
}

// redirect sends the browser to url after a successful change: by HX-Redirect for htmx
// requests, by 303 See Other otherwise.
func redirect(c echo.Context, url string) error {
	if isHTMX(c) {
		c.Response().Header().Set(hxRedirect, url)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, url)
}

// isAPI reports whether the request is for the JSON API.
func isAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/")
}

// csrfToken returns the session's CSRF token, for the hidden field of plain forms and the
// hx-headers of the page, making one on first use; it is "" for a request without a session
// (a bearer-token API call, or an error before the session was loaded).
func csrfToken(c echo.Context) string {
	if token, ok := c.Get(csrfContextKey).(func() string); ok {
		return token()
	}
	return ""
}
