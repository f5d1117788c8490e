package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// auditPerPage is the number of entries on a page of the audit log.
const auditPerPage = 50

// handleAdminAudit shows the audit log, newest first, with its filters and whether the hash
// chain is intact (admins only). A filter change from htmx gets only the list; the chain is
// verified for whole pages only.
func (s *Server) handleAdminAudit(c echo.Context) error {
	ctx := c.Request().Context()
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	f, err := auditFilterFromQuery(c)
	if err != nil {
		return err
	}
	f.PerPage = auditPerPage
	entries, total, err := s.audit.FindAuditEntries(ctx, f)
	if err != nil {
		return err
	}
	a := views.AuditProps{
		Action: f.Action, EntityType: f.EntityType, Actor: f.ActorID,
		From: c.QueryParam("from"), To: c.QueryParam("to"),
		Page: f.Page, PerPage: f.PerPage, Entries: entries, Total: total,
	}
	if wantsFragment(c) && c.Request().Header.Get(hxTarget) == views.AuditListID {
		return render(c, http.StatusOK, views.AuditList(a))
	}
	if a.Actions, a.EntityTypes, err = s.audit.AuditFacets(ctx); err != nil {
		return err
	}
	if a.Users, err = s.users.FindUsers(ctx); err != nil {
		return err
	}
	if a.Verification, err = s.audit.VerifyAuditChain(ctx); err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "Audit log", views.NavAudit, views.AdminAuditPage(a))
}
