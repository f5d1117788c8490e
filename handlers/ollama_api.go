package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"tftsr/domain"

	"github.com/labstack/echo/v4"
)

// handleAPIOllamaStatus is check_ollama_installed: {url, reachable, version, error?}.
func (s *Server) handleAPIOllamaStatus(c echo.Context) error {
	o := s.ollama
	st, err := o.Status(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// handleAPIOllamaInstallGuide is get_ollama_install_guide.
func (s *Server) handleAPIOllamaInstallGuide(c echo.Context) error {
	o := s.ollama
	g, err := o.InstallGuide(c.Request().Context(), c.QueryParam("platform"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, g)
}

// handleAPIOllamaModels is list_ollama_models.
func (s *Server) handleAPIOllamaModels(c echo.Context) error {
	o := s.ollama
	models, err := o.Models(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(models, len(models)))
}

// handleAPIOllamaPull is pull_ollama_model. With Accept: text/event-stream the progress streams
// as "progress" events (data: {status, digest?, total, completed, percent}) and ends with a
// "done" event (data: {name, status: "success"}) or an "error" event (data: the API's error
// body). Otherwise it waits for the pull to end and answers {name, status: "success"}.
func (s *Server) handleAPIOllamaPull(c echo.Context) error {
	o := s.ollama
	var in apiPullRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	// Refuse a forbidden or malformed request with a plain error before the stream starts.
	if _, err := o.URL(ctx); err != nil {
		return err
	}
	if msg := domain.ValidateOllamaModelName(in.Name); msg != "" {
		return domain.Errorf(domain.EINVALID, "%s", msg)
	}
	done := apiPullResult{Name: in.Name, Status: domain.OllamaPullSuccess}
	if !wantsSSE(c) {
		if err := o.Pull(ctx, in.Name, nil); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, done)
	}
	w := startSSE(c)
	stop := w.heartbeat(sseHeartbeat)
	pullCtx, cancel := s.untilShutdown(ctx)
	err := o.Pull(pullCtx, in.Name, func(p domain.OllamaPullProgress) error { return w.eventJSON("progress", p) })
	shuttingDown := errors.Is(context.Cause(pullCtx), errShuttingDown)
	cancel()
	stop()
	if ctx.Err() != nil {
		return nil
	}
	if shuttingDown {
		// The client stays, the portal goes: tell it so, and that the download was cut.
		_ = w.eventJSON("error", apiError{apiErrorBody{Code: domain.EUNAVAILABLE,
			Message: "The portal is restarting, so this pull stopped. Start it again once the portal is back: Ollama keeps what it downloaded."}})
		return nil
	}
	if err != nil {
		msg := domain.ErrorMessage(err)
		if domain.ErrorCode(err) == domain.EINTERNAL {
			s.logger.Error("ollama pull", "err", err)
		}
		_ = w.eventJSON("error", apiError{apiErrorBody{Code: domain.ErrorCode(err), Message: msg}})
		return nil
	}
	_ = w.eventJSON("done", done)
	return nil
}

// handleAPIOllamaDelete is delete_ollama_model. The name is the rest of the path, so that
// namespace/model:tag needs no escaping (though an escaped one works too).
func (s *Server) handleAPIOllamaDelete(c echo.Context) error {
	o := s.ollama
	name, err := url.PathUnescape(c.Param("*"))
	if err != nil {
		return domain.Errorf(domain.EINVALID, "The model name is not validly escaped.")
	}
	if err := o.Delete(c.Request().Context(), name); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
