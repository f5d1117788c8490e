package handlers

import (
	"encoding/csv"
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
		Action: f.Action, EntityType: f.EntityType, Actor: f.ActorID, Query: f.Query,
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

// handleAdminAuditCSV streams the audit entries the filters select as CSV (RFC 4180, with a
// header row and spreadsheet formulas defused), newest first, and records the export in the
// audit log (admins only). Rows are written as they are read, so the log may be any size.
func (s *Server) handleAdminAuditCSV(c echo.Context) error {
	ctx := c.Request().Context()
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	f, err := auditFilterFromQuery(c)
	if err != nil {
		return err
	}
	resp := c.Response()
	w := csv.NewWriter(resp)
	w.UseCRLF = true
	started := false
	rows := 0
	err = s.audit.ExportAuditEntries(ctx, f, "csv", func(e *domain.AuditEntry) error {
		if !started {
			started = true
			writeAuditCSVHead(resp)
			if err := w.Write(domain.AuditCSVHeader); err != nil {
				return err
			}
		}
		if err := w.Write(domain.AuditCSVRecord(e)); err != nil {
			return err
		}
		// The first row goes out at once, so the download starts; then every 200.
		if rows++; rows%200 == 1 {
			w.Flush()
			resp.Flush()
		}
		return w.Error()
	})
	if err != nil && !started {
		return err // nothing sent yet: the error handler answers
	}
	if err != nil {
		// The status line is gone; a cut-off download is all that can be said.
		s.logger.ErrorContext(ctx, "audit export cut short", "err", err)
		return nil
	}
	if !started {
		writeAuditCSVHead(resp)
		if err := w.Write(domain.AuditCSVHeader); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// writeAuditCSVHead sends the headers of an audit export.
func writeAuditCSVHead(resp *echo.Response) {
	h := resp.Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="audit-log.csv"`)
	h.Set("Cache-Control", "no-store")
	resp.WriteHeader(http.StatusOK)
}
