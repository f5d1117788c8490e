package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
)

// handleAPIAIProviders is list_providers: the provider kinds with their defaults and fields.
func (s *Server) handleAPIAIProviders(c echo.Context) error {
	infos := domain.ProviderKindInfos()
	return c.JSON(http.StatusOK, newList(infos, len(infos)))
}

// handleAPIAIConfigList lists the provider configs: every field but the key for admins, names,
// kinds and models for everyone else.
func (s *Server) handleAPIAIConfigList(c echo.Context) error {
	cfgs, err := s.ai.ListProviderConfigs(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(cfgs, len(cfgs)))
}

// handleAPIAIConfigGet returns one provider config without its key (admins only).
func (s *Server) handleAPIAIConfigGet(c echo.Context) error {
	cfg, err := s.ai.GetProviderConfig(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cfg)
}

// handleAPIAIConfigPut creates (201) or replaces (200) a provider config (admins only). An absent
// or empty api_key keeps the stored key; "clear_api_key": true removes it.
func (s *Server) handleAPIAIConfigPut(c echo.Context) error {
	var in domain.ProviderInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	in.Name = c.Param("name")
	cfg, created, err := s.ai.PutProviderConfig(c.Request().Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, cfg)
}

// handleAPIAIConfigDelete removes a provider config (admins only).
func (s *Server) handleAPIAIConfigDelete(c echo.Context) error {
	if err := s.ai.DeleteProviderConfig(c.Request().Context(), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleAPIAIConfigTest sends a tiny request through a provider config (admins only) and returns
// {ok, message}.
func (s *Server) handleAPIAIConfigTest(c echo.Context) error {
	res, err := s.ai.TestProviderConfig(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
