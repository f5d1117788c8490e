package handlers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"tftsr/domain"
	"tftsr/views"
)

// ssoFlowKey holds the single sign-on under way in the (pre-sign-in) session: its state,
// nonce, PKCE verifier and the page to go on to. It is taken out at the callback, so each flow
// is used at most once.
const ssoFlowKey = "sso_flow"

// ssoFlowLifetime is how long a started single sign-on may take to come back.
const ssoFlowLifetime = 10 * time.Minute

// ssoAvailabilityWait bounds how long the sign-in page waits to learn whether the identity
// provider can be reached.
const ssoAvailabilityWait = 3 * time.Second

type ssoFlow struct {
	State    string    `json:"state"`
	Nonce    string    `json:"nonce"`
	Verifier string    `json:"verifier"`
	Next     string    `json:"next"`
	Expires  time.Time `json:"expires"`
}

// ssoName is the provider's name on the button.
func (s *Server) ssoName() string {
	if s.cfg.SSOName != "" {
		return s.cfg.SSOName
	}
	return "single sign-on"
}

// loginForm returns the sign-in form for next with the single sign-on offer and the password
// policy applied; breakGlass asks for the password form when password sign-in is off.
func (s *Server) loginForm(ctx context.Context, next string, breakGlass bool) views.LoginForm {
	f := views.LoginForm{Next: next}
	if s.cfg.Passwords.Off {
		f.BreakGlass = breakGlass
		f.PasswordHidden = !breakGlass
		q := url.Values{"break-glass": {"1"}}
		if next != "/" {
			q.Set("next", next)
		}
		f.BreakGlassHref = "/login?" + q.Encode()
	}
	if s.cfg.SSO != nil {
		href := "/auth/oidc/login"
		if next != "/" {
			href += "?" + url.Values{"next": {next}}.Encode()
		}
		f.SSO = &views.SSOButton{Name: s.ssoName(), Href: href}
		actx, cancel := context.WithTimeout(ctx, ssoAvailabilityWait)
		defer cancel()
		// While the provider is down the page says so; with passwords off, the break-glass link
		// stays the way in.
		if err := s.cfg.SSO.Provider.Available(actx); err != nil {
			f.SSO.Unavailable = domain.ErrorMessage(err)
		}
	}
	return f
}

// renderLogin renders the sign-in page with f at status.
func (s *Server) renderLogin(c echo.Context, status int, f views.LoginForm) error {
	p := s.pageProps(c, "Sign in", "")
	return render(c, status, views.Layout(p, views.LoginPage(p, f)))
}

// handleSSOLogin starts a single sign-on: a new state, nonce and PKCE verifier are kept in the
// session, and the browser goes to the identity provider.
func (s *Server) handleSSOLogin(c echo.Context) error {
	if s.cfg.SSO == nil {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	next := safeNext(c.QueryParam("next"))
	if domain.UserFromContext(ctx) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	flow := ssoFlow{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(),
		Next: next, Expires: time.Now().Add(ssoFlowLifetime)}
	to, err := s.cfg.SSO.Provider.AuthCodeURL(ctx, flow.State, flow.Nonce, flow.Verifier)
	if err != nil {
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			return err
		}
		f := s.loginForm(ctx, next, false)
		f.Error = domain.ErrorMessage(err)
		return s.renderLogin(c, http.StatusServiceUnavailable, f)
	}
	raw, err := json.Marshal(flow)
	if err != nil {
		return err
	}
	s.sessions.Put(ctx, ssoFlowKey, string(raw))
	return c.Redirect(http.StatusSeeOther, to)
}

// handleSSOCallback finishes a single sign-on: the state must be the one this session started
// and not yet used or expired; then the code is redeemed, the ID token verified and the user
// found or created, and the session starts as for a password.
func (s *Server) handleSSOCallback(c echo.Context) error {
	if s.cfg.SSO == nil {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	addr := c.RealIP()
	// refuse answers with the sign-in page and err. A refusal of a callback that matches the
	// flow this session started is audited; one that matches none (no flow, a replay, another
	// session's state) is only logged, since anybody could send those by the thousand and fill
	// the audit chain, as with failed passwords.
	refuse := func(status int, err error, audited bool) error {
		if audited {
			s.cfg.SSO.Refuse(ctx, err, addr)
		} else {
			s.logger.Warn("single sign-on refused", slog.String("reason", domain.ErrorMessage(err)), slog.String("addr", addr))
		}
		f := s.loginForm(ctx, "/", false)
		f.Error = domain.ErrorMessage(err)
		return s.renderLogin(c, status, f)
	}
	// The flow is taken out first, so that no second callback can use it.
	raw := s.sessions.PopString(ctx, ssoFlowKey)
	var flow ssoFlow
	if raw == "" || json.Unmarshal([]byte(raw), &flow) != nil {
		return refuse(http.StatusBadRequest, domain.Errorf(domain.EINVALID,
			"This sign-in was not started here, or it was already used. Start again with the sign-in button."), false)
	}
	state := c.QueryParam("state")
	if subtle.ConstantTimeCompare([]byte(state), []byte(flow.State)) != 1 {
		return refuse(http.StatusBadRequest, domain.Errorf(domain.EINVALID,
			"This sign-in does not match the one started in this browser. Start again with the sign-in button."), false)
	}
	if time.Now().After(flow.Expires) {
		return refuse(http.StatusBadRequest, domain.Errorf(domain.EINVALID,
			"This sign-in took longer than 10 minutes and has expired. Start again with the sign-in button."), true)
	}
	if e := c.QueryParam("error"); e != "" {
		msg := "The identity provider did not sign you in (" + cut(e, 100) + ")"
		if d := c.QueryParam("error_description"); d != "" {
			msg += ": " + cut(d, 300)
		}
		return refuse(http.StatusBadRequest, domain.Errorf(domain.EINVALID, "%s.", msg), true)
	}
	code := c.QueryParam("code")
	if code == "" {
		return refuse(http.StatusBadRequest, domain.Errorf(domain.EINVALID, "The identity provider sent no sign-in code."), true)
	}
	// Complete audits its own refusals.
	res, err := s.cfg.SSO.Complete(ctx, code, flow.Verifier, flow.Nonce, addr)
	if err != nil {
		status := http.StatusBadRequest
		switch domain.ErrorCode(err) {
		case domain.EUNAUTHORIZED, domain.EINVALID:
		case domain.EFORBIDDEN:
			status = http.StatusForbidden
		case domain.ECONFLICT:
			status = http.StatusConflict
		case domain.EUNAVAILABLE:
			status = http.StatusServiceUnavailable
		default:
			return err
		}
		f := s.loginForm(ctx, "/", false)
		f.Error = domain.ErrorMessage(err)
		return s.renderLogin(c, status, f)
	}
	if err := s.startSession(c, res.User.ID); err != nil {
		return err
	}
	if res.Notice != "" {
		s.flash(c, res.Notice)
	}
	return c.Redirect(http.StatusSeeOther, flow.Next)
}

// cut bounds text from the browser for a message; the page escapes it.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
