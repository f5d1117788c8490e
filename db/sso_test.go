package db_test

import (
	"context"
	"sync"
	"testing"

	"tftsr/domain"
)

// TestUserService_SignInExternalConcurrent: two first sign-ins of one identity at once make one
// user, and both sign in to it.
func TestUserService_SignInExternalConcurrent(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	MustCreateUser(t, s, domain.RoleAdmin)
	in := domain.ExternalSignIn{
		Identity: domain.ExternalIdentity{Issuer: "https://idp.example.com", Subject: "s-1"},
		Role:     domain.RoleResponder, Username: "sam", DisplayName: "Sam", Email: "sam@example.com",
	}
	var wg sync.WaitGroup
	results := make([]*domain.ExternalSignInResult, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.Users.SignInExternal(context.Background(), in)
		}()
	}
	wg.Wait()
	created := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("sign-in %d: %v", i, errs[i])
		}
		if r.User.ID != results[0].User.ID {
			t.Fatalf("sign-in %d made another user", i)
		}
		if r.Created {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("%d sign-ins created the user, want 1", created)
	}
	var n int
	if err := s.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE username ILIKE 'sam%'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d users named sam (%v), want 1", n, err)
	}
	// The user has no password: the password sign-in refuses any, the empty one too.
	if _, err := s.Users.Authenticate(context.Background(), "sam", "", "192.0.2.1"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("password sign-in of a single sign-on user: %v, want unauthorized", err)
	}
}
