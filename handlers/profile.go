package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// formStatus is the status of a form re-rendered because of err: 422 for invalid input, and the
// code's own status otherwise (409 for a conflict such as a taken user name).
func formStatus(err error) int {
	if domain.ErrorCode(err) == domain.EINVALID {
		return http.StatusUnprocessableEntity
	}
	if st, ok := statusOf[domain.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// formMessage is the summary shown above a form re-rendered because of err. When the message
// only repeats a field's message, the summary points at the fields instead.
func formMessage(err error) string {
	msg := domain.ErrorMessage(err)
	for _, m := range domain.ErrorFields(err) {
		if m == msg {
			return "Please correct the highlighted fields."
		}
	}
	return msg
}

// profileProps loads what the profile page shows for the signed-in user.
func (s *Server) profileProps(c echo.Context) (views.ProfileProps, error) {
	ctx := c.Request().Context()
	u := domain.UserFromContext(ctx)
	if u == nil {
		return views.ProfileProps{}, domain.Errorf(domain.EUNAUTHORIZED, "Please sign in.")
	}
	tokens, err := s.users.FindTokens(ctx, u.ID)
	if err != nil {
		return views.ProfileProps{}, err
	}
	return views.ProfileProps{User: u, CSRF: csrfToken(c), Tokens: tokens, Now: time.Now()}, nil
}

// handleProfile shows the signed-in user's account, password form and API tokens.
func (s *Server) handleProfile(c echo.Context) error {
	p, err := s.profileProps(c)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "Profile", views.NavProfile, views.ProfilePage(p))
}

// handleProfilePassword changes the signed-in user's own password. Wrong or unacceptable
// passwords re-render the form with field messages.
func (s *Server) handleProfilePassword(c echo.Context) error {
	current, next := c.FormValue("current_password"), c.FormValue("new_password")
	var err error
	if next != c.FormValue("confirm_password") {
		err = domain.Invalid("Please correct the highlighted fields.",
			map[string]string{"confirm_password": "The new passwords do not match."})
	} else {
		err = s.users.ChangeOwnPassword(c.Request().Context(), current, next)
	}
	if err == nil {
		// The change ends every other session of the user; this one carries on with a new token.
		if err := s.startSession(c, domain.UserIDFromContext(c.Request().Context())); err != nil {
			return err
		}
		s.flash(c, "Password changed. Your other sessions have been signed out.")
		return redirect(c, "/profile")
	}
	if domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	p, perr := s.profileProps(c)
	if perr != nil {
		return perr
	}
	p.PasswordErrors, p.PasswordMessage = domain.ErrorFields(err), formMessage(err)
	if wantsFragment(c) {
		return render(c, http.StatusUnprocessableEntity, views.PasswordForm(p))
	}
	return s.renderPage(c, http.StatusUnprocessableEntity, "Profile", views.NavProfile, views.ProfilePage(p))
}

// handleProfileTimeZone sets the zone the signed-in user's pages show times in. A name that is
// not a time zone re-renders the form with the field's message.
func (s *Server) handleProfileTimeZone(c echo.Context) error {
	ctx := c.Request().Context()
	zone := c.FormValue("time_zone")
	u, err := s.users.UpdateUser(ctx, domain.UserIDFromContext(ctx), domain.UserUpdate{TimeZone: &zone})
	if err == nil {
		// The rest of this request, and every later one, shows times in the new zone.
		c.SetRequest(c.Request().WithContext(domain.NewContextWithUser(ctx, u)))
		if wantsFragment(c) {
			p, err := s.profileProps(c)
			if err != nil {
				return err
			}
			// The whole page shows times: reload it rather than patch every one.
			c.Response().Header().Set("HX-Refresh", "true")
			return render(c, http.StatusOK, views.TimeZoneForm(p))
		}
		s.flash(c, "Time zone saved: "+domain.ZoneLabel(u.Location(), time.Now())+".")
		return redirect(c, "/profile")
	}
	if domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	p, perr := s.profileProps(c)
	if perr != nil {
		return perr
	}
	p.ZoneValue, p.ZoneErrors, p.ZoneMessage = zone, domain.ErrorFields(err), formMessage(err)
	if wantsFragment(c) {
		return render(c, http.StatusUnprocessableEntity, views.TimeZoneForm(p))
	}
	return s.renderPage(c, http.StatusUnprocessableEntity, "Profile", views.NavProfile, views.ProfilePage(p))
}

// tokenExpiries are the profile form's expiry choices: days, or "never".
var tokenExpiries = map[string]time.Duration{"30": 30 * 24 * time.Hour, "90": 90 * 24 * time.Hour, "365": 365 * 24 * time.Hour}

// newTokenFromForm reads the token form: name, scope ("read" or "write") and expires (a number
// of days the form offers, or "never"; absent is the default lifetime).
func newTokenFromForm(c echo.Context) (domain.NewToken, error) {
	nt := domain.NewToken{Name: c.FormValue("name"), Scope: domain.TokenScope(c.FormValue("scope"))}
	switch v := c.FormValue("expires"); v {
	case "":
	case "never":
		nt.NeverExpires = true
	default:
		d, ok := tokenExpiries[v]
		if !ok {
			return nt, domain.Invalid("Please correct the highlighted fields.",
				map[string]string{"expires": "Choose 30, 90 or 365 days, or no expiry."})
		}
		nt.Lifetime = d
	}
	return nt, nil
}

// handleTokenCreate creates a personal access token and shows it in this response only: the
// token is never put in the session or the flash, so it cannot be shown again.
func (s *Server) handleTokenCreate(c echo.Context) error {
	ctx := c.Request().Context()
	nt, err := newTokenFromForm(c)
	var token string
	var t *domain.APIToken
	if err == nil {
		token, t, err = s.users.CreateToken(ctx, domain.UserIDFromContext(ctx), nt)
	}
	if err != nil && domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	p, perr := s.profileProps(c)
	if perr != nil {
		return perr
	}
	status := http.StatusOK
	if err != nil {
		p.TokenName, p.TokenErrors, p.TokenMessage = c.FormValue("name"), domain.ErrorFields(err), formMessage(err)
		p.TokenScope, p.TokenExpires = c.FormValue("scope"), c.FormValue("expires")
		status = http.StatusUnprocessableEntity
	} else {
		p.NewToken, p.NewTokenName = token, t.Name
	}
	if wantsFragment(c) {
		return render(c, status, views.Tokens(p))
	}
	return s.renderPage(c, status, "Profile", views.NavProfile, views.ProfilePage(p))
}

// handleTokenRevoke revokes one of the signed-in user's tokens.
func (s *Server) handleTokenRevoke(c echo.Context) error {
	if err := s.users.RevokeToken(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	if !wantsFragment(c) {
		s.flash(c, "Token revoked.")
		return redirect(c, "/profile")
	}
	p, err := s.profileProps(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Tokens(p))
}
