package handlers

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
)

// handleSavedViewCreate saves the incident list's current filters under a name for the
// signed-in user and opens the saved view.
func (s *Server) handleSavedViewCreate(c echo.Context) error {
	filter, err := url.ParseQuery(c.FormValue("filter"))
	if err != nil {
		return domain.Invalid("The filters to save are not a query string.", map[string]string{"filter": "Not a query string."})
	}
	v, err := domain.SaveView(c.Request().Context(), s.savedViews, domain.NewSavedView{Name: c.FormValue("name"), Filter: filter})
	if err != nil {
		return err
	}
	s.flash(c, "View “"+v.Name+"” saved.")
	return redirect(c, v.ListURL())
}

// handleSavedViewDelete deletes one of the signed-in user's saved views.
func (s *Server) handleSavedViewDelete(c echo.Context) error {
	if err := s.savedViews.DeleteSavedView(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	s.flash(c, "Saved view deleted.")
	return redirect(c, "/issues")
}
