package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// aiSection returns the AI providers section of the settings page.
func (s *Server) aiSection(c echo.Context) (*views.AIProvidersProps, error) {
	ctx := c.Request().Context()
	cfgs, err := s.ai.ListProviderConfigs(ctx)
	if err != nil {
		return nil, err
	}
	return &views.AIProvidersProps{
		Configs: cfgs, CanEdit: domain.Require(ctx, domain.RoleAdmin) == nil,
		Form: views.NewAIProviderFormProps(nil, csrfToken(c)),
	}, nil
}

// handleAIProviderEdit shows the form that edits one provider config (admins only). The API key
// field is empty: the key is never sent to the browser.
func (s *Server) handleAIProviderEdit(c echo.Context) error {
	cfg, err := s.ai.GetProviderConfig(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	p := views.NewAIProviderFormProps(cfg, csrfToken(c))
	return s.renderPage(c, http.StatusOK, "AI provider "+cfg.Name, views.NavSettings, views.AIProviderEditPage(p))
}

// handleAIProviderSave creates or updates the provider config named in the form. Invalid values
// re-render the form with field messages; the key typed is never rendered back.
func (s *Server) handleAIProviderSave(c echo.Context) error {
	ctx := c.Request().Context()
	p := views.AIProviderFormProps{
		Input: domain.ProviderInput{
			Name: c.FormValue("name"), Kind: domain.ProviderKind(c.FormValue("kind")), BaseURL: c.FormValue("base_url"),
			Model: c.FormValue("model"), APIKey: c.FormValue("api_key"), ClearAPIKey: c.FormValue("clear_api_key") == "true",
			SupportsTools: c.FormValue("supports_tools") == "true",
		},
		Temperature: strings.TrimSpace(c.FormValue("temperature")), MaxTokens: strings.TrimSpace(c.FormValue("max_tokens")),
		TimeoutSeconds: strings.TrimSpace(c.FormValue("timeout_seconds")), CSRF: csrfToken(c),
	}
	bad := parseProviderNumbers(&p)
	var err error
	if c.FormValue("editing") != "true" {
		// The new-provider form must not overwrite a config of the same name.
		if _, ferr := s.ai.GetProviderConfig(ctx, strings.TrimSpace(p.Input.Name)); ferr == nil {
			bad["name"] = "A provider with this name exists: edit it instead."
		}
	}
	if len(bad) > 0 {
		err = mergeFieldErrors(p.Input, bad)
	} else {
		_, _, err = s.ai.PutProviderConfig(ctx, p.Input)
	}
	if err == nil {
		s.flash(c, "AI provider "+strings.TrimSpace(p.Input.Name)+" saved.")
		return redirect(c, "/settings")
	}
	if domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	if old, ferr := s.ai.GetProviderConfig(ctx, strings.TrimSpace(p.Input.Name)); ferr == nil {
		p.Editing, p.HasAPIKey = true, old.HasAPIKey
	}
	p.Input.APIKey = ""
	p.Errors, p.Message = domain.ErrorFields(err), formMessage(err)
	if wantsFragment(c) {
		return render(c, http.StatusUnprocessableEntity, views.AIProviderForm(p))
	}
	return s.renderPage(c, http.StatusUnprocessableEntity, "AI provider", views.NavSettings, views.AIProviderEditPage(p))
}

// parseProviderNumbers reads the form's number fields into p.Input and returns messages for
// those that are not numbers. Empty fields take the defaults.
func parseProviderNumbers(p *views.AIProviderFormProps) map[string]string {
	bad := map[string]string{}
	if p.Temperature != "" {
		t, err := strconv.ParseFloat(p.Temperature, 64)
		if err != nil {
			bad["temperature"] = "Temperature must be a number between 0 and 2."
		} else {
			p.Input.Temperature = &t
		}
	}
	for _, f := range []struct {
		name, value, msg string
		dest             *int
	}{
		{"max_tokens", p.MaxTokens, "Max tokens must be a whole number.", &p.Input.MaxTokens},
		{"timeout_seconds", p.TimeoutSeconds, "Timeout must be a whole number of seconds.", &p.Input.TimeoutSeconds},
	} {
		if f.value == "" {
			continue
		}
		n, err := strconv.Atoi(f.value)
		if err != nil {
			bad[f.name] = f.msg
		} else {
			*f.dest = n
		}
	}
	return bad
}

// mergeFieldErrors returns the validation error of in with the messages of bad added, so that
// one round trip shows every problem.
func mergeFieldErrors(in domain.ProviderInput, bad map[string]string) error {
	fields := map[string]string{}
	for k, v := range domain.ErrorFields(in.Validate()) {
		fields[k] = v
	}
	for k, v := range bad {
		fields[k] = v
	}
	return domain.Invalid("Please correct the highlighted fields.", fields)
}

// handleAIProviderDelete removes a provider config (admins only).
func (s *Server) handleAIProviderDelete(c echo.Context) error {
	name := c.Param("name")
	if err := s.ai.DeleteProviderConfig(c.Request().Context(), name); err != nil {
		return err
	}
	s.flash(c, "AI provider "+name+" deleted.")
	return redirect(c, "/settings")
}

// handleAIProviderTest tests a provider config's connection (admins only) and shows ✓ or ✗ with
// a message: in place for htmx, as a flash message otherwise.
func (s *Server) handleAIProviderTest(c echo.Context) error {
	name := c.Param("name")
	res, err := s.ai.TestProviderConfig(c.Request().Context(), name)
	if err != nil {
		return err
	}
	if isHTMX(c) {
		return render(c, http.StatusOK, views.AIProviderTestResult(res))
	}
	mark := "✗ "
	if res.OK {
		mark = "✓ "
	}
	s.flash(c, mark+name+": "+res.Message)
	return redirect(c, "/settings")
}
