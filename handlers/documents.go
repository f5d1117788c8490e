package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// handleDocumentGenerate generates an incident's RCA or post-mortem (a new version when it
// exists) and opens it in the editor.
func (s *Server) handleDocumentGenerate(c echo.Context) error {
	d, err := s.docs.Generate(c.Request().Context(), c.Param("id"), domain.DocumentKind(c.FormValue("kind")))
	if err != nil {
		return err
	}
	s.flash(c, "Generated "+d.Kind.Label()+" version "+strconv.Itoa(d.CurrentVersion)+".")
	return redirect(c, "/documents/"+d.ID)
}

// editorProps loads a document version and its version list for the editor.
func (s *Server) editorProps(c echo.Context, id string, version int) (views.DocumentEditorProps, error) {
	ctx := c.Request().Context()
	d, err := s.docs.Find(ctx, id, version)
	if err != nil {
		return views.DocumentEditorProps{}, err
	}
	versions, err := s.docs.Versions(ctx, d.ID)
	if err != nil {
		return views.DocumentEditorProps{}, err
	}
	return views.DocumentEditorProps{Doc: d, Versions: versions, CanEdit: domain.Require(ctx, domain.RoleResponder) == nil, CSRF: csrfToken(c)}, nil
}

// queryVersion reads ?version=N; a missing version is 0 (the current one).
func queryVersion(c echo.Context) (int, error) {
	v := c.QueryParam("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, domain.Errorf(domain.ENOTFOUND, "Version not found.")
	}
	return n, nil
}

// handleDocumentEditor shows the editor, at ?version=N when given.
func (s *Server) handleDocumentEditor(c echo.Context) error {
	version, err := queryVersion(c)
	if err != nil {
		return err
	}
	p, err := s.editorProps(c, c.Param("id"), version)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, p.Doc.Title, views.NavIssues, views.DocumentEditorPage(p))
}

// handleDocumentSave saves the editor's text as a new version. A conflict or an invalid text
// answers a message for the editor's status line and leaves the text in the textarea alone.
func (s *Server) handleDocumentSave(c echo.Context) error {
	ctx := c.Request().Context()
	base, _ := strconv.Atoi(c.FormValue("base_version"))
	d, err := s.docs.Save(ctx, c.Param("id"), c.FormValue("content_md"), base)
	if err != nil {
		switch domain.ErrorCode(err) {
		case domain.ECONFLICT:
			return render(c, http.StatusOK, views.DocumentStatus("conflict", domain.ErrorMessage(err)))
		case domain.EINVALID, domain.ETOOLARGE:
			return render(c, http.StatusOK, views.DocumentStatus("error", domain.ErrorMessage(err)))
		}
		return err
	}
	if !isHTMX(c) {
		s.flash(c, "Saved version "+strconv.Itoa(d.CurrentVersion)+".")
		return redirect(c, "/documents/"+d.ID)
	}
	p, err := s.editorProps(c, d.ID, 0)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.DocumentSaved(p))
}

// handleDocumentPreview renders Markdown for the editor's live preview, sanitised.
func (s *Server) handleDocumentPreview(c echo.Context) error {
	if err := domain.Require(c.Request().Context(), domain.RoleViewer); err != nil {
		return err
	}
	content, err := domain.ValidateDocumentContent(c.FormValue("content_md"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Markdown(content))
}

// handleDocumentRestore stores an old version as the new current one.
func (s *Server) handleDocumentRestore(c echo.Context) error {
	version, _ := strconv.Atoi(c.FormValue("version"))
	base, _ := strconv.Atoi(c.FormValue("base_version"))
	d, err := s.docs.Restore(c.Request().Context(), c.Param("id"), version, base)
	if err != nil {
		return err
	}
	s.flash(c, "Restored version "+strconv.Itoa(version)+" as version "+strconv.Itoa(d.CurrentVersion)+".")
	return redirect(c, "/documents/"+d.ID)
}
