package handlers

import (
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
)

// handleAPIDocumentCreate is generate_rca / generate_postmortem: {kind} → 201 Document. An
// existing document of that kind gets a new version.
func (s *Server) handleAPIDocumentCreate(c echo.Context) error {
	var in struct {
		Kind domain.DocumentKind `json:"kind"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	d, err := s.docs.Generate(c.Request().Context(), c.Param("id"), in.Kind)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

// handleAPIDocumentList lists an incident's documents.
func (s *Server) handleAPIDocumentList(c echo.Context) error {
	items, err := s.docs.FindByIssue(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(items, len(items)))
}

// handleAPIDocumentGet returns a document with its current content, or ?version=N.
func (s *Server) handleAPIDocumentGet(c echo.Context) error {
	version, err := queryVersion(c)
	if err != nil {
		return err
	}
	d, err := s.docs.Find(c.Request().Context(), c.Param("id"), version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// handleAPIDocumentUpdate is update_document: {content_md, base_version?} → the new version;
// 409 when base_version is given and someone saved since.
func (s *Server) handleAPIDocumentUpdate(c echo.Context) error {
	var in struct {
		ContentMD   *string `json:"content_md"`
		BaseVersion int     `json:"base_version"`
	}
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.ContentMD == nil {
		return domain.Invalid("content_md is required.", map[string]string{"content_md": "Required."})
	}
	d, err := s.docs.Save(c.Request().Context(), c.Param("id"), *in.ContentMD, in.BaseVersion)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// handleAPIDocumentVersions lists a document's versions, newest first.
func (s *Server) handleAPIDocumentVersions(c echo.Context) error {
	items, err := s.docs.Versions(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(items, len(items)))
}

// handleAPIDocumentExport is export_document: ?format=md|pdf (and ?version=N) → the file as an
// attachment.
func (s *Server) handleAPIDocumentExport(c echo.Context) error {
	version, err := queryVersion(c)
	if err != nil {
		return err
	}
	f, err := s.docs.Export(c.Request().Context(), c.Param("id"), version, c.QueryParam("format"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": f.FileName}))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, f.ContentType, f.Data)
}
