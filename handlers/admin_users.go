package handlers

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// userFilterFromQuery reads the users page's search and page.
func userFilterFromQuery(c echo.Context) (domain.UserFilter, error) {
	f := domain.UserFilter{Query: c.QueryParam("q"), PerPage: domain.UsersPerPage}
	page, _, err := pageParams(c)
	if err != nil {
		return f, err
	}
	f.Page = page
	return f, queryError(f.Validate())
}

// adminUsersProps loads the users page's data: the page of users the query asks for.
func (s *Server) adminUsersProps(c echo.Context) (views.AdminUsersProps, error) {
	ctx := c.Request().Context()
	f, err := userFilterFromQuery(c)
	if err != nil {
		return views.AdminUsersProps{}, err
	}
	users, total, err := s.users.SearchUsers(ctx, f)
	if err != nil {
		return views.AdminUsersProps{}, err
	}
	page, perPage := domain.NormalisePage(f.Page, f.PerPage)
	return views.AdminUsersProps{Users: users, Total: total, Query: f.Query, Page: page, PerPage: perPage,
		CSRF: csrfToken(c), MeID: domain.UserIDFromContext(ctx)}, nil
}

// handleAdminUsers lists the users with their roles and the create user form (admins only).
func (s *Server) handleAdminUsers(c echo.Context) error {
	if err := domain.Require(c.Request().Context(), domain.RoleAdmin); err != nil {
		return err
	}
	p, err := s.adminUsersProps(c)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "Users", views.NavUsers, views.AdminUsersPage(p))
}

// handleAdminUserCreate creates a user. Invalid input, or a user name that is taken,
// re-renders the form with field messages.
func (s *Server) handleAdminUserCreate(c echo.Context) error {
	ctx := c.Request().Context()
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	f := views.NewUserForm{Username: c.FormValue("username"), DisplayName: c.FormValue("display_name"), Role: c.FormValue("role")}
	u, err := s.users.CreateUser(ctx, domain.NewUser{
		Username: f.Username, DisplayName: f.DisplayName, Role: domain.Role(f.Role), Password: c.FormValue("password"),
	})
	if err == nil {
		s.flash(c, "User "+u.Username+" created.")
		return redirect(c, "/admin/users")
	}
	if domain.ErrorCode(err) != domain.EINVALID && len(domain.ErrorFields(err)) == 0 {
		return err
	}
	f.Errors, f.Message = domain.ErrorFields(err), formMessage(err)
	if wantsFragment(c) {
		return render(c, formStatus(err), views.UserCreateForm(csrfToken(c), f))
	}
	p, perr := s.adminUsersProps(c)
	if perr != nil {
		return perr
	}
	p.Create = f
	return s.renderPage(c, formStatus(err), "Users", views.NavUsers, views.AdminUsersPage(p))
}

// userUpdateFromForm reads the fields of a user change that the form sends: role, disabled
// ("true" or "false") and display_name. Fields that are absent stay as they are.
func userUpdateFromForm(c echo.Context) (domain.UserUpdate, error) {
	var upd domain.UserUpdate
	form, err := c.FormParams()
	if err != nil {
		return upd, domain.Errorf(domain.EINVALID, "The form could not be read.")
	}
	if v, ok := form["role"]; ok && len(v) > 0 {
		role := domain.Role(v[0])
		upd.Role = &role
	}
	if v, ok := form["disabled"]; ok && len(v) > 0 {
		var disabled bool
		switch v[0] {
		case "true":
			disabled = true
		case "false":
		default:
			return upd, domain.Invalid("Invalid status.", map[string]string{"disabled": "Send true or false."})
		}
		upd.Disabled = &disabled
	}
	if v, ok := form["display_name"]; ok && len(v) > 0 {
		name := v[0]
		upd.DisplayName = &name
	}
	return upd, nil
}

// updateNotice describes a change just made to u.
func updateNotice(u *domain.User, upd domain.UserUpdate) string {
	switch {
	case upd.Disabled != nil && *upd.Disabled:
		return u.Username + " is disabled."
	case upd.Disabled != nil:
		return u.Username + " is enabled."
	case upd.Role != nil:
		return u.Username + " is now " + string(u.Role) + "."
	default:
		return "Saved."
	}
}

// roleConfirmURL is the address of the page that confirms giving a user a role.
func roleConfirmURL(id string, role domain.Role) string {
	return "/admin/users/" + url.PathEscape(id) + "/role?" + url.Values{"role": {string(role)}}.Encode()
}

// handleAdminUserRoleConfirm asks the admin to confirm a role change ("Make Jane Doe an
// admin?") with a plain form, so it works without JavaScript.
func (s *Server) handleAdminUserRoleConfirm(c echo.Context) error {
	ctx := c.Request().Context()
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	role := domain.Role(c.QueryParam("role"))
	if !role.Valid() {
		return domain.Invalid("Choose admin, responder or viewer.", map[string]string{"role": "Choose admin, responder or viewer."})
	}
	u, err := s.users.FindUserByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if u.Role == role {
		s.flash(c, u.Name()+" is already "+string(role)+".")
		return redirect(c, "/admin/users")
	}
	p := views.RoleConfirmProps{User: u, Role: role, CSRF: csrfToken(c), Self: u.ID == domain.UserIDFromContext(ctx)}
	return s.renderPage(c, http.StatusOK, "Change role", views.NavUsers, views.RoleConfirmPage(p))
}

// handleAdminUserUpdate changes a user's role, disabled flag or display name. htmx swaps the
// user's row in place; a plain form goes back to the list with a flash message. A role change
// is applied only from the confirmation page (confirm=yes); without it the admin is sent there.
func (s *Server) handleAdminUserUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	id := c.Param("id")
	upd, err := userUpdateFromForm(c)
	if err != nil {
		return s.userRowError(c, id, err)
	}
	if upd.Role != nil && c.FormValue("confirm") != "yes" {
		if !upd.Role.Valid() {
			return s.userRowError(c, id, domain.Invalid("Invalid role.", map[string]string{"role": "Choose admin, responder or viewer."}))
		}
		if wantsFragment(c) {
			c.Response().Header().Set(hxRedirect, roleConfirmURL(id, *upd.Role))
			return c.NoContent(http.StatusNoContent)
		}
		return c.Redirect(http.StatusSeeOther, roleConfirmURL(id, *upd.Role))
	}
	u, err := s.users.UpdateUser(ctx, id, upd)
	if err != nil {
		return s.userRowError(c, id, err)
	}
	notice := updateNotice(u, upd)
	if u.ID == domain.UserIDFromContext(ctx) && (u.Role != domain.RoleAdmin || u.Disabled) {
		// Admins who gave up their own admin role can no longer see this page.
		s.flash(c, notice)
		return redirect(c, "/")
	}
	if !wantsFragment(c) {
		s.flash(c, notice)
		return redirect(c, "/admin/users")
	}
	return render(c, http.StatusOK, views.UserRow(views.UserRowProps{
		User: u, CSRF: csrfToken(c), Self: u.ID == domain.UserIDFromContext(ctx), Notice: notice,
	}))
}

// handleAdminUserPassword sets a new password for a user.
func (s *Server) handleAdminUserPassword(c echo.Context) error {
	ctx := c.Request().Context()
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return err
	}
	id := c.Param("id")
	if err := s.users.SetPassword(ctx, id, c.FormValue("password")); err != nil {
		return s.userRowError(c, id, err)
	}
	u, err := s.users.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	notice := "Password reset for " + u.Username + ". Their sessions have ended and their API tokens are revoked."
	if !wantsFragment(c) {
		s.flash(c, notice)
		return redirect(c, "/admin/users")
	}
	return render(c, http.StatusOK, views.UserRow(views.UserRowProps{
		User: u, CSRF: csrfToken(c), Self: u.ID == domain.UserIDFromContext(ctx), Notice: notice,
	}))
}

// userRowError shows a refused change to a user in that user's row: field messages for invalid
// input, the service's message for a conflict such as demoting the last active admin. Other
// errors go to the error handler.
func (s *Server) userRowError(c echo.Context, id string, err error) error {
	switch domain.ErrorCode(err) {
	case domain.EINVALID, domain.ECONFLICT:
	default:
		return err
	}
	ctx := c.Request().Context()
	u, ferr := s.users.FindUserByID(ctx, id)
	if ferr != nil {
		return ferr
	}
	row := views.UserRowProps{User: u, CSRF: csrfToken(c), Self: u.ID == domain.UserIDFromContext(ctx)}
	fields := domain.ErrorFields(err)
	switch {
	case fields["display_name"] != "" || fields["password"] != "":
		row.Errors = fields // shown beside the edit forms' inputs
	case fields["role"] != "":
		row.Error = fields["role"]
	case fields["disabled"] != "":
		row.Error = fields["disabled"]
	default:
		row.Error = domain.ErrorMessage(err)
	}
	if wantsFragment(c) {
		return render(c, formStatus(err), views.UserRow(row))
	}
	p, perr := s.adminUsersProps(c)
	if perr != nil {
		return perr
	}
	p.Row = row
	return s.renderPage(c, formStatus(err), "Users", views.NavUsers, views.AdminUsersPage(p))
}
