package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// handleOllamaPage shows the Ollama section to admins.
func (s *Server) handleOllamaPage(c echo.Context) error {
	p, err := s.ollamaProps(c)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "Ollama", views.NavSettings, views.OllamaPage(*p))
}

// ollamaProps gathers the page's data: the URL, the server's status and models, the host's
// hardware and the recommendations. A server that does not answer is shown as such, not an error.
func (s *Server) ollamaProps(c echo.Context) (*views.OllamaProps, error) {
	o := s.ollama
	ctx := c.Request().Context()
	st, err := o.Status(ctx)
	if err != nil {
		return nil, err
	}
	p := &views.OllamaProps{CSRF: csrfToken(c), URL: st.URL, Status: st}
	for _, platform := range domain.InstallPlatforms {
		g, _ := domain.OllamaInstallGuide(platform)
		p.Guides = append(p.Guides, g)
	}
	p.Models = s.ollamaModels(c, o, st.Reachable)
	hw, err := o.HardwareReport(ctx)
	if err != nil {
		if domain.ErrorCode(err) == domain.EINTERNAL {
			return nil, err
		}
		p.HardwareErr = domain.ErrorMessage(err)
	} else {
		p.Hardware = hw
		names := make([]string, 0, len(p.Models.Models))
		for _, m := range p.Models.Models {
			names = append(names, m.Name)
		}
		p.Recommended = domain.RecommendModels(*hw, names)
	}
	return p, nil
}

// ollamaModels lists the installed models for the page, or says why it cannot.
func (s *Server) ollamaModels(c echo.Context, o *domain.OllamaService, reachable bool) views.OllamaModelsProps {
	if !reachable {
		return views.OllamaModelsProps{Error: "The installed models appear here once Ollama answers."}
	}
	models, err := o.Models(c.Request().Context())
	if err != nil {
		return views.OllamaModelsProps{Error: domain.ErrorMessage(err)}
	}
	return views.OllamaModelsProps{Models: models}
}

// handleOllamaModelsFragment renders the installed models table, which the page reloads after a
// pull, and the recommendations out of band (their "Installed" marks change too).
func (s *Server) handleOllamaModelsFragment(c echo.Context) error {
	o := s.ollama
	ctx := c.Request().Context()
	if _, err := o.URL(ctx); err != nil {
		return err
	}
	models := s.ollamaModels(c, o, true)
	var recs []domain.ModelRecommendation
	if hw, err := o.HardwareReport(ctx); err == nil {
		names := make([]string, 0, len(models.Models))
		for _, m := range models.Models {
			names = append(names, m.Name)
		}
		recs = domain.RecommendModels(*hw, names)
	}
	return render(c, http.StatusOK, views.OllamaModelsRefresh(models, csrfToken(c), recs))
}

// handleOllamaURLSave saves the Ollama URL; an invalid one re-renders the page with the message.
func (s *Server) handleOllamaURLSave(c echo.Context) error {
	o := s.ollama
	typed := c.FormValue("ollama_url")
	if _, err := o.SetURL(c.Request().Context(), typed); err == nil {
		s.flash(c, "Ollama URL saved.")
		return redirect(c, "/settings/ollama")
	} else if domain.ErrorCode(err) != domain.EINVALID {
		return err
	} else {
		p, perr := s.ollamaProps(c)
		if perr != nil {
			return perr
		}
		p.URL, p.URLErrors, p.URLMessage = typed, domain.ErrorFields(err), formMessage(err)
		return s.renderPage(c, http.StatusUnprocessableEntity, "Ollama", views.NavSettings, views.OllamaPage(*p))
	}
}

// handleOllamaPullForm pulls a model for a browser without JavaScript: it waits for the pull to
// end and shows the outcome.
func (s *Server) handleOllamaPullForm(c echo.Context) error {
	o := s.ollama
	name := strings.TrimSpace(c.FormValue("name"))
	if err := o.Pull(c.Request().Context(), name, nil); err != nil {
		code := domain.ErrorCode(err)
		if code == domain.EINTERNAL || code == domain.EUNAUTHORIZED || code == domain.EFORBIDDEN {
			return err
		}
		p, perr := s.ollamaProps(c)
		if perr != nil {
			return perr
		}
		p.PullName, p.PullMessage, p.PullFailed = name, domain.ErrorMessage(err), true
		return s.renderPage(c, statusOf[code], "Ollama", views.NavSettings, views.OllamaPage(*p))
	}
	s.flash(c, "Pulled "+name+".")
	return redirect(c, "/settings/ollama")
}

// handleOllamaDeleteConfirm asks before deleting a model.
func (s *Server) handleOllamaDeleteConfirm(c echo.Context) error {
	o := s.ollama
	if _, err := o.URL(c.Request().Context()); err != nil {
		return err
	}
	name := c.QueryParam("name")
	if msg := domain.ValidateOllamaModelName(name); msg != "" {
		return domain.Errorf(domain.EINVALID, "%s", msg)
	}
	return s.renderPage(c, http.StatusOK, "Delete model", views.NavSettings, views.OllamaDeletePage(csrfToken(c), name))
}

// handleOllamaDelete deletes a model after the confirmation.
func (s *Server) handleOllamaDelete(c echo.Context) error {
	o := s.ollama
	name := c.FormValue("name")
	if err := o.Delete(c.Request().Context(), name); err != nil {
		return err
	}
	s.flash(c, "Deleted "+name+".")
	return redirect(c, "/settings/ollama")
}

// apiPullRequest is the body of POST /api/v1/ollama/models/pull.
type apiPullRequest struct {
	Name string `json:"name"`
}

// apiPullResult is the answer of a pull that finished.
type apiPullResult struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}
