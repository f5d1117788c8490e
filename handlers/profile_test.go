package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"tftsr/domain"
)

func TestProfile_Page(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		ts := mustOpenServer(t, testResponder)
		used := time.Now().Add(-2 * time.Hour)
		revoked := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		var gotUserID string
		ts.Users.FindTokensFn = func(_ context.Context, userID string) ([]*domain.APIToken, error) {
			gotUserID = userID
			return []*domain.APIToken{
				{ID: "t-1", UserID: userID, Name: "<b>ci</b>", CreatedAt: time.Now(), LastUsedAt: &used},
				{ID: "t-2", UserID: userID, Name: "old laptop", CreatedAt: time.Now(), RevokedAt: &revoked},
			}, nil
		}
		c := ts.mustLogin(t, testResponder)

		resp := c.get("/profile")
		wantStatus(t, resp, http.StatusOK)
		if gotUserID != testResponder.ID {
			t.Errorf("FindTokens(%q), want %q", gotUserID, testResponder.ID)
		}
		wantContains(t, resp, "<h1>Profile</h1>", "rob", "Rob Responder", "Change password",
			`name="current_password"`, `name="new_password"`, `name="confirm_password"`,
			"&lt;b&gt;ci&lt;/b&gt;", "2 hours ago", "old laptop", "Revoked 2026-04-01 00:00 UTC",
			`action="/profile/tokens/t-1/revoke"`, `<a href="/profile" class="active">`)
		wantNotContains(t, resp, "<b>ci</b>", `action="/profile/tokens/t-2/revoke"`)
	})

	t.Run("ErrNotSignedIn", func(t *testing.T) {
		ts := mustOpenServer(t)
		resp := ts.newClient(t).get("/profile")
		wantStatus(t, resp, http.StatusSeeOther)
		if got := resp.Header.Get("Location"); got != "/login?next=%2Fprofile" {
			t.Errorf("Location=%q", got)
		}
	})
}

func TestProfile_Password(t *testing.T) {
	noTokens := func(context.Context, string) ([]*domain.APIToken, error) { return []*domain.APIToken{}, nil }
	form := func(current, next, confirm string) url.Values {
		return url.Values{"current_password": {current}, "new_password": {next}, "confirm_password": {confirm}}
	}

	t.Run("OK", func(t *testing.T) {
		ts := mustOpenServer(t, testViewer)
		ts.Users.FindTokensFn = noTokens
		var gotCurrent, gotNext, gotActor string
		ts.Users.ChangeOwnPasswordFn = func(ctx context.Context, current, next string) error {
			gotCurrent, gotNext, gotActor = current, next, domain.UserIDFromContext(ctx)
			return nil
		}
		c := ts.mustLogin(t, testViewer)

		resp := c.post("/profile/password", form(testPassword, "a much longer new secret", "a much longer new secret"))
		wantStatus(t, resp, http.StatusSeeOther)
		if gotCurrent != testPassword || gotNext != "a much longer new secret" || gotActor != testViewer.ID {
			t.Errorf("ChangeOwnPassword(%q, %q) as %q", gotCurrent, gotNext, gotActor)
		}
		wantContains(t, c.follow(resp), "Password changed.")
	})

	t.Run("ErrWrongCurrent", func(t *testing.T) {
		ts := mustOpenServer(t, testViewer)
		ts.Users.FindTokensFn = noTokens
		ts.Users.ChangeOwnPasswordFn = func(context.Context, string, string) error {
			msg := "Your current password is not correct."
			return domain.Invalid(msg, map[string]string{"current_password": msg})
		}
		c := ts.mustLogin(t, testViewer)

		resp := c.post("/profile/password", form("wrong", "a much longer new secret", "a much longer new secret"))
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp, "<html", `<small class="field-error" id="current_password-error">Your current password is not correct.</small>`,
			`id="current-password" autocomplete="current-password" required aria-invalid="true"`,
			"Please correct the highlighted fields.")

		// htmx gets the form alone.
		resp = c.post("/profile/password", form("wrong", "a much longer new secret", "a much longer new secret"), htmx...)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp, `<form id="password-form"`, "Your current password is not correct.")
		wantNotContains(t, resp, "<html", "API tokens")
	})

	t.Run("ErrMismatch", func(t *testing.T) {
		ts := mustOpenServer(t, testViewer)
		ts.Users.FindTokensFn = noTokens
		called := false
		ts.Users.ChangeOwnPasswordFn = func(context.Context, string, string) error { called = true; return nil }
		c := ts.mustLogin(t, testViewer)

		resp := c.post("/profile/password", form(testPassword, "a much longer new secret", "a different secret!!"))
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp, `id="confirm_password-error">The new passwords do not match.`)
		if called {
			t.Error("ChangeOwnPassword was called")
		}
	})
}

func TestProfile_Tokens(t *testing.T) {
	const secret = "tftsr_s3cr3t-token-value"

	t.Run("CreateShowsTokenOnce", func(t *testing.T) {
		ts := mustOpenServer(t, testResponder)
		var tokens []*domain.APIToken
		ts.Users.FindTokensFn = func(context.Context, string) ([]*domain.APIToken, error) { return tokens, nil }
		var gotUserID string
		var got domain.NewToken
		ts.Users.CreateTokenFn = func(_ context.Context, userID string, nt domain.NewToken) (string, *domain.APIToken, error) {
			gotUserID, got = userID, nt
			exp := time.Now().Add(nt.Lifetime)
			tok := &domain.APIToken{ID: "t-new", UserID: userID, Name: nt.Name, Scope: nt.Scope, ExpiresAt: &exp, CreatedAt: time.Now()}
			tokens = append(tokens, tok)
			return secret, tok, nil
		}
		c := ts.mustLogin(t, testResponder)

		resp := c.post("/profile/tokens", url.Values{"name": {"CI pipeline"}, "scope": {"write"}, "expires": {"30"}})
		wantStatus(t, resp, http.StatusOK)
		if want := (domain.NewToken{Name: "CI pipeline", Scope: domain.TokenWrite, Lifetime: 30 * 24 * time.Hour}); gotUserID != testResponder.ID || got != want {
			t.Errorf("CreateToken(%q, %+v), want %+v", gotUserID, got, want)
		}
		wantContains(t, resp, "Read-write")
		wantContains(t, resp, `value="`+secret+`"`, "won’t be shown again", "New token “CI pipeline”")
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control=%q, want no-store", cc)
		}

		// Never again: not on the next page, not in a flash.
		again := c.get("/profile")
		wantStatus(t, again, http.StatusOK)
		wantContains(t, again, "CI pipeline")
		wantNotContains(t, again, secret, "shown again")
	})

	t.Run("CreateHTMX", func(t *testing.T) {
		ts := mustOpenServer(t, testResponder)
		ts.Users.FindTokensFn = func(context.Context, string) ([]*domain.APIToken, error) { return nil, nil }
		ts.Users.CreateTokenFn = func(_ context.Context, userID string, nt domain.NewToken) (string, *domain.APIToken, error) {
			return secret, &domain.APIToken{ID: "t-new", UserID: userID, Name: nt.Name, Scope: nt.Scope, CreatedAt: time.Now()}, nil
		}
		c := ts.mustLogin(t, testResponder)

		resp := c.post("/profile/tokens", url.Values{"name": {"deploy"}}, htmx...)
		wantStatus(t, resp, http.StatusOK)
		wantContains(t, resp, `<section id="tokens"`, secret)
		wantNotContains(t, resp, "<html")
	})

	t.Run("ErrInvalidName", func(t *testing.T) {
		ts := mustOpenServer(t, testResponder)
		ts.Users.FindTokensFn = func(context.Context, string) ([]*domain.APIToken, error) { return nil, nil }
		ts.Users.CreateTokenFn = func(context.Context, string, domain.NewToken) (string, *domain.APIToken, error) {
			msg := "Name must be at most 100 characters."
			return "", nil, domain.Invalid(msg, map[string]string{"name": msg})
		}
		c := ts.mustLogin(t, testResponder)

		resp := c.post("/profile/tokens", url.Values{"name": {"x"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp, `id="name-error">Name must be at most 100 characters.`)
		wantNotContains(t, resp, "shown again")
	})

	t.Run("Revoke", func(t *testing.T) {
		ts := mustOpenServer(t, testResponder)
		ts.Users.FindTokensFn = func(context.Context, string) ([]*domain.APIToken, error) { return nil, nil }
		var gotID string
		ts.Users.RevokeTokenFn = func(_ context.Context, id string) error { gotID = id; return nil }
		c := ts.mustLogin(t, testResponder)

		resp := c.post("/profile/tokens/t-1/revoke", nil)
		wantStatus(t, resp, http.StatusSeeOther)
		if gotID != "t-1" {
			t.Errorf("RevokeToken(%q), want t-1", gotID)
		}
		wantContains(t, c.follow(resp), "Token revoked.")
	})

	t.Run("ErrRevokeNotFound", func(t *testing.T) {
		ts := mustOpenServer(t, testResponder)
		ts.Users.RevokeTokenFn = func(context.Context, string) error {
			return domain.Errorf(domain.ENOTFOUND, "Token not found.")
		}
		c := ts.mustLogin(t, testResponder)
		resp := c.post("/profile/tokens/someone-elses/revoke", nil)
		wantStatus(t, resp, http.StatusNotFound)
		wantContains(t, resp, "Token not found.")
	})
}
