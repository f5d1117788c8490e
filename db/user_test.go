package db_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/domain"
)

func TestUserService_CreateUser(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	admin, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)

	t.Run("OK", func(t *testing.T) {
		u, err := s.Users.CreateUser(adminCtx, domain.NewUser{Username: "Alice", DisplayName: " Alice A ", Role: domain.RoleResponder, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == "" || u.Username != "Alice" || u.DisplayName != "Alice A" || u.Role != domain.RoleResponder || u.Disabled {
			t.Fatalf("user = %+v", u)
		}
		got, err := s.Users.FindUserByUsername(adminCtx, "aLiCe")
		if err != nil {
			t.Fatal(err)
		} else if got.ID != u.ID || !got.CreatedAt.Equal(s.Clock.Now()) {
			t.Fatalf("found %+v, want %+v", got, u)
		}
		var hash string
		if err := s.DB.Pool.QueryRow(context.Background(), `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") || strings.Contains(hash, testPassword) {
			t.Fatalf("stored hash = %q", hash)
		}
		entries, _, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Action: "user.create", ActorID: admin.ID})
		if err != nil {
			t.Fatal(err)
		} else if len(entries) != 1 || entries[0].EntityID != u.ID || strings.Contains(string(entries[0].Details), testPassword) {
			t.Fatalf("audit = %+v", entries)
		}
	})
	t.Run("ErrDuplicateCaseInsensitive", func(t *testing.T) {
		_, err := s.Users.CreateUser(adminCtx, domain.NewUser{Username: "ALICE", Role: domain.RoleViewer, Password: testPassword})
		wantCode(t, err, domain.ECONFLICT)
		if domain.ErrorFields(err)["username"] == "" {
			t.Fatalf("no username field message: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := s.Users.CreateUser(adminCtx, domain.NewUser{Username: "bad name", Role: "root", Password: "short"})
		wantCode(t, err, domain.EINVALID)
		if f := domain.ErrorFields(err); f["username"] == "" || f["role"] == "" || f["password"] == "" {
			t.Fatalf("fields = %v", f)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, responderCtx := MustCreateUser(t, s, domain.RoleResponder)
		_, err := s.Users.CreateUser(responderCtx, domain.NewUser{Username: "bob", Role: domain.RoleViewer, Password: testPassword})
		wantCode(t, err, domain.EFORBIDDEN)
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, err := s.Users.CreateUser(context.Background(), domain.NewUser{Username: "bob", Role: domain.RoleViewer, Password: testPassword})
		wantCode(t, err, domain.EUNAUTHORIZED)
		_, err = s.Users.FindUsers(context.Background())
		wantCode(t, err, domain.EUNAUTHORIZED)
	})
}

func TestUserService_FindUser(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	u, ctx := MustCreateUser(t, s, domain.RoleViewer)

	t.Run("OK", func(t *testing.T) {
		got, err := s.Users.FindUserByID(ctx, strings.ToUpper(u.ID))
		if err != nil || got.ID != u.ID {
			t.Fatalf("FindUserByID = %+v, %v", got, err)
		}
		users, err := s.Users.FindUsers(ctx)
		if err != nil || len(users) != 1 || users[0].ID != u.ID {
			t.Fatalf("FindUsers = %+v, %v", users, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, id := range []string{"not-a-uuid", "01912345-6789-7abc-8def-0123456789ab", "", "'; DROP TABLE users; --"} {
			_, err := s.Users.FindUserByID(ctx, id)
			wantCode(t, err, domain.ENOTFOUND)
		}
		_, err := s.Users.FindUserByUsername(ctx, "nobody")
		wantCode(t, err, domain.ENOTFOUND)
	})
}

func TestUserService_Authenticate(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	u, _ := MustCreateUser(t, s, domain.RoleResponder)
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		got, err := s.Users.Authenticate(ctx, strings.ToUpper(u.Username), testPassword, "192.0.2.1:5555")
		if err != nil {
			t.Fatal(err)
		} else if got.ID != u.ID {
			t.Fatalf("user = %+v", got)
		}
		entries, _, err := s.Audit.FindAuditEntries(systemCtx(), domain.AuditFilter{Action: "session.login"})
		if err != nil {
			t.Fatal(err)
		} else if len(entries) != 1 || entries[0].ActorID == nil || *entries[0].ActorID != u.ID ||
			string(entries[0].Details) != `{"addr":"192.0.2.1"}` {
			t.Fatalf("login audit = %+v", entries)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM login_failures`); n != 0 {
			t.Fatalf("%d failures left after a successful sign-in", n)
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		_, err := s.Users.Authenticate(ctx, u.Username, "wrong password!", "192.0.2.2")
		wantCode(t, err, domain.EUNAUTHORIZED)
		if msg := domain.ErrorMessage(err); msg != "Invalid user name or password." {
			t.Fatalf("message = %q", msg)
		}
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		for _, name := range []string{"nobody", "", "bad\x00name\xff", strings.Repeat("x", 5000)} {
			_, err := s.Users.Authenticate(ctx, name, testPassword, "192.0.2.3")
			wantCode(t, err, domain.EUNAUTHORIZED)
			if msg := domain.ErrorMessage(err); msg != "Invalid user name or password." {
				t.Fatalf("message = %q", msg)
			}
		}
	})
	t.Run("ErrDisabled", func(t *testing.T) {
		d, _ := MustCreateUser(t, s, domain.RoleViewer)
		if _, err := s.Users.UpdateUser(systemCtx(), d.ID, domain.UserUpdate{Disabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Users.Authenticate(ctx, d.Username, testPassword, "192.0.2.4")
		wantCode(t, err, domain.EUNAUTHORIZED)
		if msg := domain.ErrorMessage(err); msg != "Invalid user name or password." {
			t.Fatalf("message = %q", msg)
		}
	})
}

func TestUserService_Authenticate_Throttle(t *testing.T) {
	t.Parallel()

	t.Run("ByPair", func(t *testing.T) {
		t.Parallel()
		s := MustOpenServices(t)
		u, _ := MustCreateUser(t, s, domain.RoleViewer)
		ctx := context.Background()
		const from = "198.51.100.1"
		for range db.MaxLoginFailuresPerPair {
			_, err := s.Users.Authenticate(ctx, u.Username, "wrong password!", from)
			wantCode(t, err, domain.EUNAUTHORIZED)
			s.Clock.Add(time.Second)
		}
		// From that address the right password waits now; the wait doubles with each failure.
		_, err := s.Users.Authenticate(ctx, strings.ToUpper(u.Username), testPassword, from)
		wantCode(t, err, domain.EUNAVAILABLE)
		if msg := domain.ErrorMessage(err); msg != "Too many failed sign-ins. Try again in 1 minute." {
			t.Fatalf("message = %q", msg)
		}
		s.Clock.Add(db.LoginBackoff)
		_, err = s.Users.Authenticate(ctx, u.Username, "wrong again!", from)
		wantCode(t, err, domain.EUNAUTHORIZED)
		s.Clock.Add(db.LoginBackoff + time.Second)
		_, err = s.Users.Authenticate(ctx, u.Username, testPassword, from)
		wantCode(t, err, domain.EUNAVAILABLE) // 6 failures: 60 s after the newest
		// Nobody else is locked out: the user signs in from another address at once.
		if _, err := s.Users.Authenticate(ctx, u.Username, testPassword, "203.0.113.9"); err != nil {
			t.Fatalf("from another address: %v", err)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM login_failures WHERE lower(username) = lower($1)`, u.Username); n != 0 {
			t.Fatalf("%d failures left after success", n)
		}
	})
	t.Run("StrangersCannotLockAName", func(t *testing.T) {
		t.Parallel()
		s := MustOpenServices(t)
		u, _ := MustCreateUser(t, s, domain.RoleAdmin)
		ctx := context.Background()
		for i := range 3 * db.MaxLoginFailuresPerPair {
			_, err := s.Users.Authenticate(ctx, u.Username, "wrong password!", "198.51.100."+strconv.Itoa(10+i))
			wantCode(t, err, domain.EUNAUTHORIZED)
		}
		if _, err := s.Users.Authenticate(ctx, u.Username, testPassword, "203.0.113.9"); err != nil {
			t.Fatalf("the admin after strangers' failures: %v", err)
		}
	})
	t.Run("ByAddr", func(t *testing.T) {
		t.Parallel()
		s := MustOpenServices(t)
		u, _ := MustCreateUser(t, s, domain.RoleViewer)
		ctx := context.Background()
		for i := range db.MaxLoginFailuresPerAddr {
			_, err := s.Users.Authenticate(ctx, "guess"+string(rune('a'+i)), "whatever", "[2001:db8::1]:443")
			wantCode(t, err, domain.EUNAUTHORIZED)
		}
		_, err := s.Users.Authenticate(ctx, u.Username, testPassword, "2001:db8::1")
		wantCode(t, err, domain.EUNAVAILABLE)
		if msg := domain.ErrorMessage(err); msg != "Too many failed sign-ins. Try again in 15 minutes." {
			t.Fatalf("message = %q", msg)
		}
		// Another address is not affected.
		if _, err := s.Users.Authenticate(ctx, u.Username, testPassword, "2001:db8::2"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		s := MustOpenServices(t)
		u, _ := MustCreateUser(t, s, domain.RoleViewer)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string]int{}
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Users.Authenticate(context.Background(), u.Username, "wrong password!", "198.51.100.7")
				mu.Lock()
				codes[domain.ErrorCode(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[domain.EUNAUTHORIZED] != db.MaxLoginFailuresPerPair || codes[domain.EUNAVAILABLE] != 12-db.MaxLoginFailuresPerPair {
			t.Fatalf("answers = %v, want exactly %d guesses checked", codes, db.MaxLoginFailuresPerPair)
		}
	})
}

func TestUserService_UpdateUser(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	admin, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	viewer, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)

	t.Run("OK", func(t *testing.T) {
		u, err := s.Users.UpdateUser(adminCtx, viewer.ID, domain.UserUpdate{Role: ptr(domain.RoleResponder), DisplayName: ptr("Vera")})
		if err != nil {
			t.Fatal(err)
		} else if u.Role != domain.RoleResponder || u.DisplayName != "Vera" {
			t.Fatalf("user = %+v", u)
		}
		entries, _, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Action: "user.update"})
		if err != nil {
			t.Fatal(err)
		}
		want := `{"changes":{"display_name":{"from":"Test viewer ` + strings.TrimPrefix(viewer.Username, "viewer") +
			`","to":"Vera"},"role":{"from":"viewer","to":"responder"}},"username":"` + viewer.Username + `"}`
		if len(entries) != 1 || string(entries[0].Details) != want || *entries[0].ActorID != admin.ID {
			t.Fatalf("audit = %s, want %s", entries[0].Details, want)
		}
	})
	t.Run("OwnDisplayName", func(t *testing.T) {
		if _, err := s.Users.UpdateUser(viewerCtx, viewer.ID, domain.UserUpdate{DisplayName: ptr("Me")}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Users.UpdateUser(viewerCtx, viewer.ID, domain.UserUpdate{Role: ptr(domain.RoleAdmin)})
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = s.Users.UpdateUser(viewerCtx, admin.ID, domain.UserUpdate{DisplayName: ptr("Pwned")})
		wantCode(t, err, domain.EFORBIDDEN)
	})
	t.Run("NoChange", func(t *testing.T) {
		before := mustCount(t, s.DB, `SELECT count(*) FROM audit_log`)
		if _, err := s.Users.UpdateUser(adminCtx, admin.ID, domain.UserUpdate{Role: ptr(domain.RoleAdmin)}); err != nil {
			t.Fatal(err)
		}
		if after := mustCount(t, s.DB, `SELECT count(*) FROM audit_log`); after != before {
			t.Fatalf("a no-op update wrote %d audit entries", after-before)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := s.Users.UpdateUser(adminCtx, viewer.ID, domain.UserUpdate{Role: ptr(domain.Role("root")), DisplayName: ptr("a\x01b")})
		wantCode(t, err, domain.EINVALID)
		if f := domain.ErrorFields(err); f["role"] == "" || f["display_name"] == "" {
			t.Fatalf("fields = %v", f)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.Users.UpdateUser(adminCtx, "nope", domain.UserUpdate{DisplayName: ptr("x")})
		wantCode(t, err, domain.ENOTFOUND)
	})
}

func TestUserService_LastAdmin(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	admin, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)

	_, err := s.Users.UpdateUser(adminCtx, admin.ID, domain.UserUpdate{Role: ptr(domain.RoleResponder)})
	wantCode(t, err, domain.ECONFLICT)
	if !strings.Contains(domain.ErrorMessage(err), "is the last active admin and cannot be demoted") {
		t.Fatalf("message = %q", domain.ErrorMessage(err))
	}
	_, err = s.Users.UpdateUser(systemCtx(), admin.ID, domain.UserUpdate{Disabled: ptr(true)})
	wantCode(t, err, domain.ECONFLICT)

	// With a second admin, one may go; then the other is the last.
	other, _ := MustCreateUser(t, s, domain.RoleAdmin)
	if _, err := s.Users.UpdateUser(adminCtx, admin.ID, domain.UserUpdate{Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Users.UpdateUser(systemCtx(), other.ID, domain.UserUpdate{Role: ptr(domain.RoleViewer)})
	wantCode(t, err, domain.ECONFLICT)

	// Two admins demoting each other at once: exactly one succeeds.
	third, _ := MustCreateUser(t, s, domain.RoleAdmin)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, id := range []string{other.ID, third.ID} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Users.UpdateUser(systemCtx(), id, domain.UserUpdate{Role: ptr(domain.RoleResponder)})
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("concurrent demotions: %v, %v; want exactly one refused", errs[0], errs[1])
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`); n != 1 {
		t.Fatalf("%d enabled admins, want 1", n)
	}

	// One demotion and one disabling of the last two admins at once: exactly one succeeds, and
	// the refused one says why.
	var last string
	if errs[0] == nil {
		last = third.ID
	} else {
		last = other.ID
	}
	fourth, _ := MustCreateUser(t, s, domain.RoleAdmin)
	updates := []struct {
		id  string
		upd domain.UserUpdate
	}{{last, domain.UserUpdate{Role: ptr(domain.RoleViewer)}}, {fourth.ID, domain.UserUpdate{Disabled: ptr(true)}}}
	for i, u := range updates {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Users.UpdateUser(systemCtx(), u.id, u.upd)
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("concurrent demotion and disabling: %v, %v; want exactly one refused", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil && (domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "last active admin")) {
			t.Errorf("refusal = %v", err)
		}
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`); n != 1 {
		t.Fatalf("%d enabled admins, want 1", n)
	}
}

func TestUserService_SearchUsers(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	for i := range 7 {
		if _, err := s.Users.CreateUser(adminCtx, domain.NewUser{Username: fmt.Sprintf("ops%d", i), DisplayName: fmt.Sprintf("Night 50%% %d", i),
			Role: domain.RoleResponder, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Users.CreateUser(adminCtx, domain.NewUser{Username: "jane", DisplayName: "Jane Doe", Role: domain.RoleViewer, Password: testPassword}); err != nil {
		t.Fatal(err)
	}

	names := func(us []*domain.User) string {
		var out []string
		for _, u := range us {
			out = append(out, u.Username)
		}
		return strings.Join(out, ",")
	}
	cases := []struct {
		f         domain.UserFilter
		want      string
		wantTotal int
	}{
		{domain.UserFilter{Query: "OPS", PerPage: 3}, "ops0,ops1,ops2", 7},
		{domain.UserFilter{Query: "ops", Page: 3, PerPage: 3}, "ops6", 7},
		{domain.UserFilter{Query: "doe"}, "jane", 1},                               // display name
		{domain.UserFilter{Query: "50%"}, "ops0,ops1,ops2,ops3,ops4,ops5,ops6", 7}, // % is literal
		{domain.UserFilter{Query: "_"}, "", 0},
		{domain.UserFilter{Query: "ops", Page: 9, PerPage: 3}, "", 7}, // past the end still counts
	}
	for _, c := range cases {
		got, total, err := s.Users.SearchUsers(adminCtx, c.f)
		if err != nil {
			t.Fatalf("%+v: %v", c.f, err)
		}
		if names(got) != c.want || total != c.wantTotal {
			t.Errorf("SearchUsers(%+v) = %s (%d), want %s (%d)", c.f, names(got), total, c.want, c.wantTotal)
		}
	}
	all, total, err := s.Users.SearchUsers(adminCtx, domain.UserFilter{})
	if err != nil || total != 10 || len(all) != 10 {
		t.Fatalf("all users: %d of %d, %v", len(all), total, err)
	}

	_, _, err = s.Users.SearchUsers(viewerCtx, domain.UserFilter{})
	wantCode(t, err, domain.EFORBIDDEN)
	_, _, err = s.Users.SearchUsers(adminCtx, domain.UserFilter{Query: "a\x00b\uFFFD"})
	wantCode(t, err, domain.EINVALID)
}

func TestUserService_LastLogin(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	u, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	if got, _ := s.Users.FindUserByID(adminCtx, u.ID); got.LastLoginAt != nil {
		t.Fatalf("a new user signed in at %v", got.LastLoginAt)
	}
	// A token's use is not a sign-in.
	tok, _, err := s.Users.CreateToken(adminCtx, u.ID, domain.NewToken{Scope: domain.TokenRead})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Users.AuthenticateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Users.FindUserByID(adminCtx, u.ID); got.LastLoginAt != nil {
		t.Fatalf("token use set the last sign-in: %v", got.LastLoginAt)
	}
	// A wrong password is not one either.
	if _, err := s.Users.Authenticate(context.Background(), u.Username, "wrong password!", "10.0.0.1:1"); err == nil {
		t.Fatal("wrong password accepted")
	}
	if got, _ := s.Users.FindUserByID(adminCtx, u.ID); got.LastLoginAt != nil {
		t.Fatalf("a failed sign-in set the last sign-in: %v", got.LastLoginAt)
	}
	s.Clock.Add(time.Hour)
	signedIn, err := s.Users.Authenticate(context.Background(), u.Username, testPassword, "10.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Users.FindUserByID(adminCtx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastLoginAt == nil || !got.LastLoginAt.Equal(s.Clock.Now()) || signedIn.LastLoginAt == nil || !signedIn.LastLoginAt.Equal(s.Clock.Now()) {
		t.Fatalf("last sign-in %v (returned %v), want %v", got.LastLoginAt, signedIn.LastLoginAt, s.Clock.Now())
	}
}

func TestUserService_Passwords(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	u, uctx := MustCreateUser(t, s, domain.RoleResponder)
	ctx := context.Background()

	t.Run("SetPassword", func(t *testing.T) {
		if err := s.Users.SetPassword(adminCtx, u.ID, "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Users.Authenticate(ctx, u.Username, "a brand new password", "192.0.2.10"); err != nil {
			t.Fatal(err)
		}
		err := s.Users.SetPassword(uctx, u.ID, "my own new password")
		wantCode(t, err, domain.EFORBIDDEN)
		err = s.Users.SetPassword(adminCtx, u.ID, "short")
		wantCode(t, err, domain.EINVALID)
	})
	t.Run("ChangeOwnPassword", func(t *testing.T) {
		err := s.Users.ChangeOwnPassword(uctx, "not the password", "another new password")
		wantCode(t, err, domain.EINVALID)
		if domain.ErrorFields(err)["current_password"] == "" {
			t.Fatalf("fields = %v", domain.ErrorFields(err))
		}
		err = s.Users.ChangeOwnPassword(uctx, "a brand new password", "short")
		wantCode(t, err, domain.EINVALID)
		if domain.ErrorFields(err)["new_password"] == "" {
			t.Fatalf("fields = %v", domain.ErrorFields(err))
		}
		if err := s.Users.ChangeOwnPassword(uctx, "a brand new password", "another new password"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Users.Authenticate(ctx, u.Username, "another new password", "192.0.2.10"); err != nil {
			t.Fatal(err)
		}
		err = s.Users.ChangeOwnPassword(ctx, "x", "another new password")
		wantCode(t, err, domain.EUNAUTHORIZED)
	})
	t.Run("Audit", func(t *testing.T) {
		for _, action := range []string{"user.password_reset", "user.password_change"} {
			entries, _, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Action: action})
			if err != nil {
				t.Fatal(err)
			} else if len(entries) != 1 || entries[0].EntityID != u.ID || strings.Contains(string(entries[0].Details), "password\"") {
				t.Fatalf("%s audit = %+v", action, entries)
			}
		}
	})
}

func TestUserService_EnsureAdmin(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	ctx := systemCtx()

	created, err := s.Users.EnsureAdmin(ctx, "admin", "initial first-run password")
	if err != nil || !created {
		t.Fatalf("EnsureAdmin = %v, %v; want created", created, err)
	}
	u, err := s.Users.Authenticate(context.Background(), "Admin", "initial first-run password", "127.0.0.1")
	if err != nil || u.Role != domain.RoleAdmin {
		t.Fatalf("sign in as the new admin: %+v, %v", u, err)
	}
	created, err = s.Users.EnsureAdmin(ctx, "admin2", "initial first-run password")
	if err != nil || created {
		t.Fatalf("second EnsureAdmin = %v, %v; want nothing done", created, err)
	}
	entries, _, err := s.Audit.FindAuditEntries(ctx, domain.AuditFilter{Action: "user.create"})
	if err != nil {
		t.Fatal(err)
	} else if len(entries) != 1 || entries[0].ActorID != nil || !strings.Contains(string(entries[0].Details), `"via":"test"`) {
		t.Fatalf("audit = %+v", entries)
	}
	_, err = s.Users.EnsureAdmin(context.Background(), "admin3", "initial first-run password")
	wantCode(t, err, domain.EUNAUTHORIZED)
}
