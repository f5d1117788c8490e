package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"tftsr/domain"
)

// sanitiseQuery replaces bytes that are not valid UTF-8 and NUL bytes (which PostgreSQL text
// cannot hold) in the query string with U+FFFD, so that no handler or query ever sees them: a
// search or filter for such bytes simply finds nothing.
func sanitiseQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := c.Request().URL
		if raw, err := url.QueryUnescape(u.RawQuery); err == nil && utf8.ValidString(raw) && !strings.Contains(raw, "\x00") {
			return next(c)
		}
		q, _ := url.ParseQuery(u.RawQuery)
		clean := url.Values{}
		for k, vs := range q {
			for _, v := range vs {
				clean.Add(cleanQueryText(k), cleanQueryText(v))
			}
		}
		u.RawQuery = clean.Encode()
		return next(c)
	}
}

// cleanQueryText replaces invalid UTF-8 and NUL bytes in s with U+FFFD.
func cleanQueryText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// loadSession loads the scs session named by the cookie and commits it, writing the cookie,
// just before the response's headers go out, so that error pages keep the session too.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if bearerToken(c) != "" {
			return next(c) // token-authenticated API calls carry no session
		}
		r := c.Request()
		var token string
		if ck, err := r.Cookie(s.sessions.Cookie.Name); err == nil {
			token = ck.Value
		}
		ctx, err := s.sessions.Load(r.Context(), token)
		if err != nil {
			return err
		}
		c.SetRequest(r.WithContext(ctx))
		c.Set(sessionLoadedKey, true)
		c.Response().Header().Add(echo.HeaderVary, "Cookie")
		c.Response().Before(func() {
			ctx := c.Request().Context()
			switch s.sessions.Status(ctx) {
			case scs.Modified:
				tok, expiry, err := s.sessions.Commit(ctx)
				if err != nil {
					s.logger.Error("committing session", slog.Any("err", err))
					return
				}
				s.sessions.WriteSessionCookie(ctx, c.Response(), tok, expiry)
			case scs.Destroyed:
				s.sessions.WriteSessionCookie(ctx, c.Response(), "", time.Time{})
			}
		})
		return next(c)
	}
}

// bearerToken returns the request's bearer token, or "".
func bearerToken(c echo.Context) string {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// csrfTokenBytes is the length of a CSRF token before encoding.
const csrfTokenBytes = 32

// errCSRF is the answer to an unsafe request without the session's CSRF token.
func errCSRF() error {
	return domain.Errorf(domain.EFORBIDDEN, "The form has expired or its security token is missing. Reload the page and try again.")
}

// csrf protects every unsafe request that a browser could send on its own. The token lives in
// the server-side session (a visitor who is not signed in has one too, so the sign-in form is
// protected), is rotated when the session's user changes (see startSession and handleLogout),
// and must come back in the X-CSRF-Token header or, failing that, the _csrf form field; it is
// compared in constant time. Nothing stands in for the token: a browser's Sec-Fetch-Site header
// can only refuse a request (one that says another site, same-site included, sent it), never
// let one through. Bearer-token API calls are exempt: they carry no session, and browsers never
// attach bearer tokens by themselves.
//
// Pages read the token with csrfToken, which makes it on first use, so that requests which show
// no form do not write a session.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if bearerToken(c) != "" {
			return next(c)
		}
		loaded, _ := c.Get(sessionLoadedKey).(bool)
		if loaded {
			c.Set(csrfContextKey, func() string { return s.sessionCSRFToken(c.Request().Context()) })
		}
		if safeMethod(c.Request().Method) {
			return next(c)
		}
		if !loaded {
			return errCSRF()
		}
		switch c.Request().Header.Get(echo.HeaderSecFetchSite) {
		case "cross-site", "same-site":
			return domain.Errorf(domain.EFORBIDDEN, "Requests sent by other sites are refused.")
		}
		want := s.sessions.GetString(c.Request().Context(), csrfSessionKey)
		// The header first: an upload's multipart body is read for the field only when the
		// header is absent, and only after the chain has required a signed-in user.
		got := c.Request().Header.Get(headerCSRFToken)
		if got == "" {
			got = c.FormValue("_csrf")
		}
		if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return errCSRF()
		}
		return next(c)
	}
}

// safeMethod reports whether method only reads (RFC 9110's safe methods): such requests need
// no CSRF token, and read-only API tokens may make them.
func safeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// headerCSRFToken is the request header that carries the CSRF token (htmx sends it from the
// body's hx-headers).
const headerCSRFToken = "X-CSRF-Token"

// sessionCSRFToken returns the session's CSRF token, making one when it has none.
func (s *Server) sessionCSRFToken(ctx context.Context) string {
	if tok := s.sessions.GetString(ctx, csrfSessionKey); tok != "" {
		return tok
	}
	return s.newCSRFToken(ctx)
}

// newCSRFToken puts a new random CSRF token in the session and returns it: any token handed out
// before is worthless from now on.
func (s *Server) newCSRFToken(ctx context.Context) string {
	tok := base64.RawURLEncoding.EncodeToString(randomBytes(csrfTokenBytes))
	s.sessions.Put(ctx, csrfSessionKey, tok)
	return tok
}

// randomBytes returns n bytes from the system's secure random source, which never fails.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// loadUser puts the signed-in user, from a bearer token or the session, into the request's
// context. A bad or expired bearer token is refused outright (401), and a read-only one on an
// unsafe method (403); a session of a disabled or deleted user is ended.
func (s *Server) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		var u *domain.User
		if tok := bearerToken(c); tok != "" {
			found, t, err := s.users.AuthenticateToken(ctx, tok)
			switch code := domain.ErrorCode(err); {
			case code == domain.EUNAUTHORIZED:
				return err // unknown, revoked or expired, in the service's words
			case err != nil && code != domain.EINTERNAL && code != domain.EUNAVAILABLE:
				return domain.Errorf(domain.EUNAUTHORIZED, "Invalid or revoked API token.")
			case err != nil:
				return err // a token that could not be checked is not a bad token
			}
			if !t.Scope.CanWrite() && !safeMethod(c.Request().Method) {
				return domain.Errorf(domain.EFORBIDDEN, "This API token is read-only: use a read-write token to make changes.")
			}
			u = found
		} else if loaded, _ := c.Get(sessionLoadedKey).(bool); !loaded {
			// No session: nobody is signed in.
		} else if id := s.sessions.GetString(ctx, sessionUserKey); id != "" {
			found, err := s.users.FindUserByID(domain.NewSystemContext(ctx, "session"), id)
			// A session signed in before the password last changed has ended.
			current := err == nil && s.sessions.GetInt64(ctx, sessionAuthAtKey) >= found.PasswordChangedAt.UnixMicro()
			switch {
			case err == nil && !found.Disabled && current:
				u = found
			case err == nil || domain.ErrorCode(err) == domain.ENOTFOUND:
				if err := s.sessions.Destroy(ctx); err != nil {
					return err
				}
			default:
				return err
			}
		}
		if u != nil {
			c.SetRequest(c.Request().WithContext(domain.NewContextWithUser(ctx, u)))
		}
		return next(c)
	}
}

// requireUser answers 401 (API) or sends the browser to the login page when nobody is signed in.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if domain.UserFromContext(c.Request().Context()) != nil {
			return next(c)
		}
		if isAPI(c) {
			return domain.Errorf(domain.EUNAUTHORIZED, "Sign in or send an API token.")
		}
		if isHTMX(c) {
			c.Response().Header().Set(hxRedirect, loginURL(c))
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.Redirect(http.StatusSeeOther, loginURL(c))
	}
}

// loginURL returns the login page's URL that comes back to the current page.
func loginURL(c echo.Context) string {
	next := c.Request().URL.RequestURI()
	if c.Request().Method != http.MethodGet || isAPI(c) {
		next = "/"
	}
	if isHTMX(c) {
		if cu := c.Request().Header.Get("HX-Current-URL"); cu != "" {
			if u, err := url.Parse(cu); err == nil {
				next = u.RequestURI()
			}
		}
	}
	if next == "/" {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(next)
}

// safeNext returns next when it is a clean local path ("/issues?status=open#logs"), and "/"
// otherwise, so the login page cannot be used to send people elsewhere. Browsers drop tabs and
// line breaks from URLs and read a backslash as a slash, so "/\t/evil.example" and
// "/\\evil.example" lead off the site: any control character or backslash is refused, and so
// is anything that parses with a scheme, a host or user info, or whose path starts with "//".
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.ContainsRune(next, '\\') {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || !unicode.IsPrint(r) && r != ' ' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}

// bindJSON decodes a JSON request body into v, refusing other content types, invalid UTF-8,
// unknown fields and trailing data with clear messages.
func bindJSON(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return domain.Errorf(domain.EUNSUPPORTED, "Send the request body as application/json.")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return domain.Errorf(domain.EINVALID, "The request body could not be read.")
	}
	if !utf8.Valid(body) {
		return domain.Errorf(domain.EINVALID, "The request body must be valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return domain.Errorf(domain.EINVALID, "Malformed JSON: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return domain.Errorf(domain.EINVALID, "Malformed JSON: unexpected data after the object.")
	}
	return nil
}
