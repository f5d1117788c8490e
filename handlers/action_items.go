package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// handleActionItemAdd adds an action item from the incident page: htmx gets the action items
// section, with the form's field messages when the item is refused.
func (s *Server) handleActionItemAdd(c echo.Context) error {
	id := c.Param("id")
	owner := c.FormValue("owner_id")
	n := domain.NewActionItem{Action: c.FormValue("action"), OwnerID: &owner, DueDate: c.FormValue("due_date"),
		Priority: domain.Priority(c.FormValue("priority"))}
	_, err := s.docs.AddActionItem(c.Request().Context(), id, n)
	if err != nil && domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	if err != nil {
		errs := domain.ErrorFields(err)
		if errs == nil {
			errs = map[string]string{"action": domain.ErrorMessage(err)}
		}
		return s.renderActionItems(c, http.StatusUnprocessableEntity, id, errs)
	}
	return s.renderActionItems(c, http.StatusOK, id, nil)
}

// handleActionItemUpdate saves an action item's row; fields not sent stay as they are. htmx
// gets the action items section.
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
	return s.renderActionItems(c, http.StatusOK, a.IssueID, nil)
}

// handleActionItemDelete deletes an action item from the incident page; htmx gets the action
// items section.
func (s *Server) handleActionItemDelete(c echo.Context) error {
	a, err := s.docs.DeleteActionItem(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.renderActionItems(c, http.StatusOK, a.IssueID, nil)
}

// renderActionItems answers a change of an incident's action items, with errs the refused
// item's field messages: the action items section for htmx (the incident, its items and for
// editors the owners to choose from), the whole page otherwise.
func (s *Server) renderActionItems(c echo.Context, status int, issueID string, errs map[string]string) error {
	ctx := c.Request().Context()
	p, err := s.changedProps(c, issueID, 0)
	if err != nil {
		return err
	}
	if wantsFragment(c) {
		if p.ActionItems, err = s.docs.ActionItems(ctx, p.Detail.Issue.ID); err != nil {
			return err
		}
		if p.CanEdit {
			if p.Owners, err = s.assignableUsers(ctx); err != nil {
				return err
			}
		}
	}
	p.ActionErrors = errs
	return s.renderChanged(c, status, p, views.ActionItemsSection(p))
}
