package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tftsr/domain"
)

// allUsers lists the test users for FindUsers.
func allUsers(context.Context) ([]*domain.User, error) {
	return []*domain.User{testAdmin, testResponder, testViewer}, nil
}

func TestAdminPages_Forbidden(t *testing.T) {
	requests := []struct {
		method, path string
	}{
		{http.MethodGet, "/admin/users"},
		{http.MethodPost, "/admin/users"},
		{http.MethodPost, "/admin/users/u-view"},
		{http.MethodPost, "/admin/users/u-view/password"},
		{http.MethodGet, "/admin/audit"},
	}
	for _, u := range []*domain.User{testResponder, testViewer} {
		for _, r := range requests {
			t.Run(string(u.Role)+" "+r.method+" "+r.path, func(t *testing.T) {
				ts := mustOpenServer(t, u, testViewer)
				called := false
				ts.Users.FindUsersFn = func(ctx context.Context) ([]*domain.User, error) { called = true; return allUsers(ctx) }
				ts.Users.CreateUserFn = func(context.Context, domain.NewUser) (*domain.User, error) { called = true; return testViewer, nil }
				ts.Users.UpdateUserFn = func(context.Context, string, domain.UserUpdate) (*domain.User, error) {
					called = true
					return testViewer, nil
				}
				ts.Users.SetPasswordFn = func(context.Context, string, string) error { called = true; return nil }
				ts.Audit.FindAuditEntriesFn = func(context.Context, domain.AuditFilter) ([]*domain.AuditEntry, int, error) {
					called = true
					return nil, 0, nil
				}
				c := ts.mustLogin(t, u)

				form := url.Values{"username": {"mallory"}, "role": {"admin"}, "password": {"a long enough password"}}
				var resp testResponse
				if r.method == http.MethodGet {
					resp = c.get(r.path)
				} else {
					resp = c.post(r.path, form)
				}
				wantStatus(t, resp, http.StatusForbidden)
				wantContains(t, resp, "Only an admin may do that.")
				if called {
					t.Error("a service method was called")
				}
			})
		}
	}
}

func TestAdminUsers_Page(t *testing.T) {
	ts := mustOpenServer(t, testAdmin)
	evil := &domain.User{ID: "u-evil", Username: "eve", DisplayName: `<img src=x onerror=alert(1)>`, Role: domain.RoleViewer, Disabled: true}
	ts.Users.FindUsersFn = func(context.Context) ([]*domain.User, error) {
		return []*domain.User{testAdmin, testResponder, evil}, nil
	}
	resp := ts.mustLogin(t, testAdmin).get("/admin/users")
	wantStatus(t, resp, http.StatusOK)
	wantContains(t, resp, "<h1>Users</h1>", `<a href="/admin/users" class="active" aria-current="page">`,
		`<tr id="user-u-resp"`, "Rob Responder", `<option value="responder" selected>Responder</option>`,
		"&lt;img src=x onerror=alert(1)&gt;", `<span class="badge user-disabled">Disabled</span>`, `<span class="badge user-enabled">Active</span>`,
		`<input type="hidden" name="disabled" value="false">`, `<input type="hidden" name="disabled" value="true">`,
		`action="/admin/users/u-resp/password"`, `<form id="user-create-form"`)
	wantNotContains(t, resp, "<img src=x")

	// No disable button on one's own row.
	own := rowOf(t, resp.Body, testAdmin.ID)
	if strings.Contains(own, `name="disabled"`) || !strings.Contains(own, `<span class="badge">you</span>`) {
		t.Errorf("own row:\n%s", own)
	}
}

// rowOf returns the HTML of a user's row.
func rowOf(tb testing.TB, body, id string) string {
	tb.Helper()
	start := strings.Index(body, `<tr id="user-`+id+`"`)
	if start < 0 {
		tb.Fatalf("no row for %s", id)
	}
	end := strings.Index(body[start:], "</tr>")
	return body[start : start+end]
}

func TestAdminUsers_Create(t *testing.T) {
	validating := func(got *domain.NewUser) func(context.Context, domain.NewUser) (*domain.User, error) {
		return func(ctx context.Context, n domain.NewUser) (*domain.User, error) {
			if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
				return nil, err
			}
			if err := n.Validate(); err != nil {
				return nil, err
			}
			*got = n
			return &domain.User{ID: "u-new", Username: n.Username, DisplayName: n.DisplayName, Role: n.Role}, nil
		}
	}

	t.Run("OK", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		ts.Users.FindUsersFn = allUsers
		var got domain.NewUser
		ts.Users.CreateUserFn = validating(&got)
		c := ts.mustLogin(t, testAdmin)

		resp := c.post("/admin/users", url.Values{"username": {"bob"}, "display_name": {"Bob"}, "role": {"viewer"}, "password": {"twelve chars long"}})
		wantStatus(t, resp, http.StatusSeeOther)
		want := domain.NewUser{Username: "bob", DisplayName: "Bob", Role: domain.RoleViewer, Password: "twelve chars long"}
		if got != want {
			t.Errorf("CreateUser(%+v), want %+v", got, want)
		}
		wantContains(t, c.follow(resp), "User bob created.")
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		ts.Users.FindUsersFn = allUsers
		var got domain.NewUser
		ts.Users.CreateUserFn = validating(&got)
		c := ts.mustLogin(t, testAdmin)
		form := url.Values{"username": {"bad name<>"}, "display_name": {"<Bad>"}, "role": {"viewer"}, "password": {"short"}}

		resp := c.post("/admin/users", form)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp, "<html", "Please correct the highlighted fields.",
			`id="username-error">User name may contain only letters, digits and . _ - @`,
			`id="password-error">Password must be at least 12 characters.`,
			`value="bad name&lt;&gt;"`, `value="&lt;Bad&gt;"`, `<option value="viewer" selected>Viewer</option>`,
			`<tr id="user-u-resp"`)
		wantNotContains(t, resp, `value="short"`)

		resp = c.post("/admin/users", form, htmx...)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp, `<form id="user-create-form"`, "Password must be at least 12 characters.")
		wantNotContains(t, resp, "<html", "<table")
	})

	t.Run("ErrUsernameTaken", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		ts.Users.FindUsersFn = allUsers
		ts.Users.CreateUserFn = func(context.Context, domain.NewUser) (*domain.User, error) {
			return nil, &domain.Error{Code: domain.ECONFLICT, Message: "That user name is taken.",
				Fields: map[string]string{"username": "That user name is taken."}}
		}
		resp := ts.mustLogin(t, testAdmin).post("/admin/users", url.Values{"username": {"rob"}, "role": {"viewer"}, "password": {"twelve chars long"}}, htmx...)
		wantStatus(t, resp, http.StatusConflict)
		wantContains(t, resp, `id="username-error">That user name is taken.`)
	})
}

func TestAdminUsers_Update(t *testing.T) {
	// recording makes UpdateUser record its arguments and apply the update to a copy of the user.
	recording := func(gotID *string, got *domain.UserUpdate) func(context.Context, string, domain.UserUpdate) (*domain.User, error) {
		return func(_ context.Context, id string, upd domain.UserUpdate) (*domain.User, error) {
			*gotID, *got = id, upd
			u := *testResponder
			if upd.Role != nil {
				u.Role = *upd.Role
			}
			if upd.Disabled != nil {
				u.Disabled = *upd.Disabled
			}
			if upd.DisplayName != nil {
				u.DisplayName = *upd.DisplayName
			}
			return &u, nil
		}
	}

	t.Run("RoleHTMX", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin, testResponder)
		var gotID string
		var got domain.UserUpdate
		ts.Users.UpdateUserFn = recording(&gotID, &got)
		c := ts.mustLogin(t, testAdmin)

		resp := c.post("/admin/users/u-resp", url.Values{"role": {"viewer"}, "confirm": {"yes"}}, htmx...)
		wantStatus(t, resp, http.StatusOK)
		if gotID != "u-resp" || got.Role == nil || *got.Role != domain.RoleViewer || got.Disabled != nil || got.DisplayName != nil {
			t.Errorf("UpdateUser(%q, %+v), want role viewer only", gotID, got)
		}
		wantContains(t, resp, `<tr id="user-u-resp"`, `<option value="viewer" selected>Viewer</option>`, "rob is now viewer.")
		wantNotContains(t, resp, "<html", "<table")
	})

	t.Run("DisablePlain", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin, testResponder)
		ts.Users.FindUsersFn = allUsers
		var gotID string
		var got domain.UserUpdate
		ts.Users.UpdateUserFn = recording(&gotID, &got)
		c := ts.mustLogin(t, testAdmin)

		resp := c.post("/admin/users/u-resp", url.Values{"disabled": {"true"}})
		wantStatus(t, resp, http.StatusSeeOther)
		if got.Disabled == nil || !*got.Disabled || got.Role != nil || got.DisplayName != nil {
			t.Errorf("UpdateUser(%q, %+v), want disabled only", gotID, got)
		}
		if loc := resp.Header.Get("Location"); loc != "/admin/users" {
			t.Errorf("Location=%q", loc)
		}
		wantContains(t, c.follow(resp), "rob is disabled.")
	})

	t.Run("DisplayName", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin, testResponder)
		var gotID string
		var got domain.UserUpdate
		ts.Users.UpdateUserFn = recording(&gotID, &got)
		resp := ts.mustLogin(t, testAdmin).post("/admin/users/u-resp", url.Values{"display_name": {"Robert"}}, htmx...)
		wantStatus(t, resp, http.StatusOK)
		if got.DisplayName == nil || *got.DisplayName != "Robert" || got.Role != nil || got.Disabled != nil {
			t.Errorf("UpdateUser(%q, %+v), want display name only", gotID, got)
		}
		wantContains(t, resp, "Robert")
	})

	t.Run("ErrLastAdmin", func(t *testing.T) {
		other := &domain.User{ID: "u-admin2", Username: "ada", Role: domain.RoleAdmin}
		ts := mustOpenServer(t, testAdmin, other)
		ts.Users.FindUsersFn = func(context.Context) ([]*domain.User, error) { return []*domain.User{testAdmin, other}, nil }
		msg := "ada is the last active admin and cannot be demoted: make another user an admin first."
		ts.Users.UpdateUserFn = func(context.Context, string, domain.UserUpdate) (*domain.User, error) {
			return nil, domain.Errorf(domain.ECONFLICT, "%s", msg)
		}
		c := ts.mustLogin(t, testAdmin)

		resp := c.post("/admin/users/u-admin2", url.Values{"role": {"viewer"}, "confirm": {"yes"}}, htmx...)
		wantStatus(t, resp, http.StatusConflict)
		wantContains(t, resp, `<tr id="user-u-admin2"`, msg, `<option value="admin" selected>Admin</option>`)
		wantNotContains(t, resp, "<html")

		resp = c.post("/admin/users/u-admin2", url.Values{"disabled": {"true"}})
		wantStatus(t, resp, http.StatusConflict)
		wantContains(t, resp, "<html", msg)
		if row := rowOf(t, resp.Body, "u-admin2"); !strings.Contains(row, msg) {
			t.Errorf("the message is not in the row:\n%s", row)
		}
	})

	t.Run("ErrBadDisabled", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin, testResponder)
		called := false
		ts.Users.UpdateUserFn = func(context.Context, string, domain.UserUpdate) (*domain.User, error) { called = true; return nil, nil }
		resp := ts.mustLogin(t, testAdmin).post("/admin/users/u-resp", url.Values{"disabled": {"maybe"}}, htmx...)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp, "Send true or false.")
		if called {
			t.Error("UpdateUser was called")
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		ts.Users.UpdateUserFn = func(context.Context, string, domain.UserUpdate) (*domain.User, error) {
			return nil, domain.Errorf(domain.ENOTFOUND, "User not found.")
		}
		resp := ts.mustLogin(t, testAdmin).post("/admin/users/nobody", url.Values{"role": {"viewer"}, "confirm": {"yes"}})
		wantStatus(t, resp, http.StatusNotFound)
		wantContains(t, resp, "User not found.")
	})

	t.Run("OwnDemotionLeavesAdmin", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		ts.Users.UpdateUserFn = func(_ context.Context, id string, upd domain.UserUpdate) (*domain.User, error) {
			u := *testAdmin
			u.Role = *upd.Role
			return &u, nil
		}
		resp := ts.mustLogin(t, testAdmin).post("/admin/users/u-admin", url.Values{"role": {"responder"}, "confirm": {"yes"}}, htmx...)
		wantStatus(t, resp, http.StatusNoContent)
		if got := resp.Header.Get("HX-Redirect"); got != "/" {
			t.Errorf("HX-Redirect=%q, want /", got)
		}
	})
}

func TestAdminUsers_Password(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin, testResponder)
		ts.Users.FindUsersFn = allUsers
		var gotID, gotPassword string
		ts.Users.SetPasswordFn = func(_ context.Context, id, password string) error {
			gotID, gotPassword = id, password
			return nil
		}
		c := ts.mustLogin(t, testAdmin)

		resp := c.post("/admin/users/u-resp/password", url.Values{"password": {"a brand new password"}})
		wantStatus(t, resp, http.StatusSeeOther)
		if gotID != "u-resp" || gotPassword != "a brand new password" {
			t.Errorf("SetPassword(%q, %q)", gotID, gotPassword)
		}
		wantContains(t, c.follow(resp), "Password reset for rob.")
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin, testResponder)
		ts.Users.SetPasswordFn = func(_ context.Context, _, password string) error {
			if msg := domain.ValidatePassword(password, testResponder.Username); msg != "" {
				return domain.Invalid(msg, map[string]string{"password": msg})
			}
			return nil
		}
		resp := ts.mustLogin(t, testAdmin).post("/admin/users/u-resp/password", url.Values{"password": {"short"}}, htmx...)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp, `<tr id="user-u-resp"`, `<details class="user-edit" open>`,
			`<small class="field-error" id="password-error">Password must be at least 12 characters.</small>`)
	})
}
