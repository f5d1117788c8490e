package handlers

import (
	"net/http"
	"slices"
	"tftsr/domain"
	"time"

	"github.com/labstack/echo/v4"
)

// handleAPIAudit is get_audit_log (admins only).
func (s *Server) handleAPIAudit(c echo.Context) error {
	f, err := auditFilterFromQuery(c)
	if err != nil {
		return err
	}
	entries, total, err := s.audit.FindAuditEntries(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(entries, total))
}

// auditFilterFromQuery reads the audit log's filters; from and to are RFC 3339 times or dates.
func auditFilterFromQuery(c echo.Context) (domain.AuditFilter, error) {
	f := domain.AuditFilter{Action: c.QueryParam("action"), EntityType: c.QueryParam("entity_type"), ActorID: c.QueryParam("actor"), Query: c.QueryParam("q")}
	var err error
	if f.Page, f.PerPage, err = pageParams(c); err != nil {
		return f, err
	}
	for name, dst := range map[string]**time.Time{"from": &f.From, "to": &f.To} {
		v := c.QueryParam(name)
		if v == "" {
			continue
		}
		t, err := parseTimeParam(v, name == "to")
		if err != nil {
			return f, domain.Errorf(domain.EINVALID, "Invalid %s date %q: give a date (2006-01-02) or an RFC 3339 time.", name, v)
		}
		*dst = &t
	}
	return f, queryError(f.Validate())
}

// queryError turns the field messages of an invalid query string into one 400 message: a
// query is not a form to re-render beside its fields.
func queryError(err error) error {
	fields := domain.ErrorFields(err)
	if domain.ErrorCode(err) != domain.EINVALID || len(fields) == 0 {
		return err
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	msg := domain.ErrorMessage(err)
	for _, k := range names {
		msg += " " + k + ": " + fields[k]
	}
	return domain.Errorf(domain.EINVALID, "%s", msg)
}

// parseTimeParam parses an RFC 3339 time or a date; a date as an upper bound means the end of
// that day.
func parseTimeParam(v string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return t, err
	}
	if end {
		t = t.Add(24*time.Hour - time.Microsecond)
	}
	return t, nil
}
