package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// handleRetentionUpdate saves the retention settings. The service refuses anyone but an admin;
// invalid values re-render the form with field messages.
func (s *Server) handleRetentionUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	p := views.RetentionProps{LogDays: c.FormValue("retention_original_log_days"), IncidentDays: c.FormValue("retention_closed_incident_days")}
	logDays, logMsg := domain.ParseRetentionDays(p.LogDays)
	incidentDays, incidentMsg := domain.ParseRetentionDays(p.IncidentDays)
	var err error
	if logMsg != "" || incidentMsg != "" {
		fields := map[string]string{}
		if logMsg != "" {
			fields["retention_original_log_days"] = logMsg
		}
		if incidentMsg != "" {
			fields["retention_closed_incident_days"] = incidentMsg
		}
		err = domain.Invalid("Check the highlighted fields.", fields)
	} else {
		_, err = s.settings.UpdateSettings(ctx, domain.SettingsUpdate{RetentionOriginalLogDays: &logDays, RetentionClosedIncidentDays: &incidentDays})
	}
	if err == nil {
		s.flash(c, "Retention settings saved.")
		return redirect(c, "/settings")
	}
	if domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	p.Errors, p.Message = domain.ErrorFields(err), formMessage(err)
	if wantsFragment(c) {
		return render(c, http.StatusUnprocessableEntity, views.RetentionForm(csrfToken(c), p))
	}
	st, gerr := s.settings.GetSettings(ctx)
	if gerr != nil {
		return gerr
	}
	return s.renderPage(c, http.StatusUnprocessableEntity, "Settings", views.NavSettings,
		views.SettingsPage(views.SettingsProps{Settings: st, CanEdit: true, CSRF: csrfToken(c), Retention: p}))
}

// handleRetentionRun runs retention now and says what it did.
func (s *Server) handleRetentionRun(c echo.Context) error {
	r, err := s.retention.Run(c.Request().Context())
	if err != nil {
		return err
	}
	s.flash(c, r.Summary())
	return redirect(c, "/settings")
}
