package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tftsr/domain"
)

// TestPasswordRules: every form that sets a password, over the real user service, refuses
// common passwords (with digits and symbols added too), ones with the user name in them and
// repetitive ones, with a message saying why, and takes a strong one.
func TestPasswordRules(t *testing.T) {
	p := newTestPortal(t)
	weak := []struct{ password, why string }{
		{"password1234", "one of the most common passwords"},
		{"Password1234!", "common password with digits or symbols added"},
		{"aaaaaaaaaaaa", "too easy to guess"},
		{"123123123123", "too easy to guess"},
	}
	const strong = "Vq7#mK2p!xLr tangerine"

	t.Run("admin creates a user", func(t *testing.T) {
		admin := p.login(t, "admin")
		for _, w := range append(weak, struct{ password, why string }{"dave2024!xyz", "must not contain the user name"}) {
			r := admin.postForm("/admin/users", url.Values{"username": {"dave"}, "role": {"viewer"}, "password": {w.password}, "_csrf": {admin.csrf()}}, nil)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, w.why) {
				t.Errorf("create dave with %q: %d, want 422 saying %q", w.password, r.StatusCode, w.why)
			}
		}
		if _, err := p.users.FindUserByUsername(domain.NewSystemContext(context.Background(), "test"), "dave"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("dave exists after refused passwords: %v", err)
		}
		r := admin.postForm("/admin/users", url.Values{"username": {"dave"}, "role": {"viewer"}, "password": {strong}, "_csrf": {admin.csrf()}}, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Errorf("create dave with a strong password: %d", r.StatusCode)
		}
	})

	t.Run("admin resets a password", func(t *testing.T) {
		admin := p.login(t, "admin")
		rita, err := p.users.FindUserByUsername(domain.NewSystemContext(context.Background(), "test"), "rita")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range append(weak, struct{ password, why string }{"RITA-2024-xyz", "must not contain the user name"}) {
			r := admin.postForm("/admin/users/"+rita.ID+"/password", url.Values{"password": {w.password}, "_csrf": {admin.csrf()}}, nil)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, w.why) {
				t.Errorf("reset rita's password to %q: %d, want 422 saying %q", w.password, r.StatusCode, w.why)
			}
		}
		// rita's password is unchanged: she still signs in with it.
		p.login(t, "rita")
	})

	t.Run("user changes their own password", func(t *testing.T) {
		vic := p.login(t, "vic")
		for _, w := range append(weak, struct{ password, why string }{"Vic2024!Vic2024!", "must not contain the user name"}) {
			r := vic.postForm("/profile/password", url.Values{"current_password": {portalPassword}, "new_password": {w.password},
				"confirm_password": {w.password}, "_csrf": {vic.csrf()}}, nil)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, w.why) {
				t.Errorf("change vic's password to %q: %d, want 422 saying %q", w.password, r.StatusCode, w.why)
			}
		}
		r := vic.postForm("/profile/password", url.Values{"current_password": {portalPassword}, "new_password": {strong},
			"confirm_password": {strong}, "_csrf": {vic.csrf()}}, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Errorf("change vic's password to a strong one: %d %s", r.StatusCode, r.Body)
		}
	})
}
