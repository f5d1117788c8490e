package handlers

import (
	"net/http"
	"tftsr/domain"

	"github.com/labstack/echo/v4"
)

// handleActionItemAdd adds an action item from the incident page.
func (s *Server) handleActionItemAdd(c echo.Context) error {
	id := c.Param("id")
	owner := c.FormValue("owner_id")
	n := domain.NewActionItem{Action: c.FormValue("action"), OwnerID: &owner, DueDate: c.FormValue("due_date"),
		Priority: domain.Priority(c.FormValue("priority"))}
	_, err := s.docs.AddActionItem(c.Request().Context(), id, n)
	if err != nil && domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	p, perr := s.issuePage(c, id)
	if perr != nil {
		return perr
	}
	status := http.StatusOK
	if err != nil {
		p.ActionErrors = domain.ErrorFields(err)
		if p.ActionErrors == nil {
			p.ActionErrors = map[string]string{"action": domain.ErrorMessage(err)}
		}
		status = http.StatusUnprocessableEntity
	}
	return s.renderIssue(c, status, p)
}

// handleActionItemUpdate saves an action item's row; fields not sent stay as they are.
func (s *Server) handleActionItemUpdate(c echo.Context) error {
	var u domain.ActionItemUpdate
	form, err := c.FormParams()
	if err != nil {
		return domain.Errorf(domain.EINVALID, "The form could not be read.")
	}
	if form.Has("action") {
		v := form.Get("action")
		u.Action = &v
	}
	if form.Has("owner_id") {
		v := form.Get("owner_id")
		u.OwnerID = &v
	}
	if form.Has("due_date") {
		v := form.Get("due_date")
		u.DueDate = &v
	}
	if form.Has("priority") {
		v := domain.Priority(form.Get("priority"))
		u.Priority = &v
	}
	if form.Has("status") {
		v := domain.ActionStatus(form.Get("status"))
		u.Status = &v
	}
	a, err := s.docs.UpdateActionItem(c.Request().Context(), c.Param("id"), u)
	if err != nil {
		return err
	}
	p, err := s.issuePage(c, a.IssueID)
	if err != nil {
		return err
	}
	return s.renderIssue(c, http.StatusOK, p)
}

// handleActionItemDelete deletes an action item from the incident page.
func (s *Server) handleActionItemDelete(c echo.Context) error {
	a, err := s.docs.DeleteActionItem(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	p, err := s.issuePage(c, a.IssueID)
	if err != nil {
		return err
	}
	return s.renderIssue(c, http.StatusOK, p)
}
