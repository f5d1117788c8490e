package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
)

// handleLoginPage shows the sign-in form, or goes on to the next page when already signed in.
func (s *Server) handleLoginPage(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if domain.UserFromContext(c.Request().Context()) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return s.renderLogin(c, http.StatusOK, s.loginForm(c.Request().Context(), next, c.QueryParam("break-glass") != ""))
}

// handleLogin signs a user in. The session token is renewed so that a token planted before
// sign-in is worthless after it.
func (s *Server) handleLogin(c echo.Context) error {
	ctx := c.Request().Context()
	username := c.FormValue("username")
	form := s.loginForm(ctx, safeNext(c.FormValue("next")), true)
	form.Username = username
	if !s.cfg.Passwords.Allows(username) {
		// Only the break-glass accounts may use a password; the answer is that of a wrong
		// password, so that it does not tell which names those are.
		form.Error = "Invalid user name or password."
		return s.renderLogin(c, http.StatusUnauthorized, form)
	}
	u, err := s.users.Authenticate(ctx, username, c.FormValue("password"), c.RealIP())
	if err != nil {
		status := http.StatusUnauthorized
		switch domain.ErrorCode(err) {
		case domain.EUNAUTHORIZED:
		case domain.EUNAVAILABLE:
			status = http.StatusTooManyRequests
		default:
			return err
		}
		form.Error = domain.ErrorMessage(err)
		return s.renderLogin(c, status, form)
	}
	if err := s.startSession(c, u.ID); err != nil {
		return err
	}
	return redirect(c, form.Next)
}

// startSession signs userID in on this session under a new session token and a new CSRF
// token, so that neither a session nor a form token planted before sign-in is worth anything
// after it, and notes when, so that the session ends if the password changes later.
func (s *Server) startSession(c echo.Context, userID string) error {
	ctx := c.Request().Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.newCSRFToken(ctx)
	s.sessions.Put(ctx, sessionUserKey, userID)
	s.sessions.Put(ctx, sessionAuthAtKey, time.Now().UnixMicro())
	return nil
}

// handleLogout signs the user out: the token is renewed and the session destroyed, and a new
// anonymous session gets a new CSRF token, so that no form of the signed-in session still works.
func (s *Server) handleLogout(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	if err := s.sessions.Destroy(ctx); err != nil {
		return err
	}
	s.newCSRFToken(ctx)
	s.flash(c, "You are signed out.")
	return redirect(c, "/login")
}
