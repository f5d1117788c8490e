package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// handleSettings shows the team settings and the AI providers: forms for admins, the values for
// everyone else.
func (s *Server) handleSettings(c echo.Context) error {
	ctx := c.Request().Context()
	st, err := s.settings.GetSettings(ctx)
	if err != nil {
		return err
	}
	ai, err := s.aiSection(c)
	if err != nil {
		return err
	}
	p := views.SettingsProps{Settings: st, CanEdit: domain.Require(ctx, domain.RoleAdmin) == nil, CSRF: csrfToken(c), AI: ai,
		Retention: views.NewRetentionProps(st), Providers: ai.Configs}
	return s.renderPage(c, http.StatusOK, "Settings", views.NavSettings, views.SettingsPage(p))
}

// handleSettingsUpdate saves the team settings. The service refuses anyone but an admin; invalid
// values re-render the form with field messages.
func (s *Server) handleSettingsUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	name := c.FormValue("team_name")
	sev := domain.Severity(c.FormValue("default_severity"))
	cat := domain.Category(c.FormValue("default_category"))
	upd := domain.SettingsUpdate{TeamName: &name, DefaultSeverity: &sev, DefaultCategory: &cat}
	paper := domain.PaperSize(c.FormValue("paper_size"))
	if paper != "" {
		upd.PaperSize = &paper
	}
	cfgs, err := s.ai.ListProviderConfigs(ctx)
	if err != nil {
		return err
	}
	provider := c.FormValue("default_provider")
	if _, sent := c.Request().PostForm["default_provider"]; sent {
		upd.DefaultProvider = &provider
		err = domain.CheckDefaultProvider(cfgs, provider)
	}
	if err == nil {
		_, err = s.settings.UpdateSettings(ctx, upd)
	}
	if err == nil {
		s.flash(c, "Settings saved.")
		return redirect(c, "/settings")
	}
	if domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	p := views.SettingsProps{
		Settings:  domain.Settings{TeamName: name, DefaultSeverity: sev, DefaultCategory: cat, PaperSize: paper, DefaultProvider: provider},
		Providers: cfgs, CanEdit: true, CSRF: csrfToken(c), Errors: domain.ErrorFields(err), Message: formMessage(err),
	}
	if wantsFragment(c) {
		return render(c, http.StatusUnprocessableEntity, views.SettingsForm(p))
	}
	return s.renderPage(c, http.StatusUnprocessableEntity, "Settings", views.NavSettings, views.SettingsPage(p))
}

// handleComponents shows the portal's components in each of their states.
func (s *Server) handleComponents(c echo.Context) error {
	return s.renderPage(c, http.StatusOK, "Components", views.NavSettings, views.ComponentsPage())
}
