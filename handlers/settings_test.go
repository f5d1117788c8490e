package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"tftsr/domain"
)

// settingsStore makes ts.Settings behave like the real service: everyone reads, only admins
// change, and updates are validated. It returns a pointer to the stored settings and a counter
// of accepted updates.
func settingsStore(ts *testServer) (*domain.Settings, *int) {
	st, saves := domain.DefaultSettings(), 0
	ts.Settings.GetSettingsFn = func(context.Context) (domain.Settings, error) { return st, nil }
	ts.Settings.UpdateSettingsFn = func(ctx context.Context, u domain.SettingsUpdate) (domain.Settings, error) {
		if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
			return domain.Settings{}, err
		}
		if err := u.Validate(); err != nil {
			return domain.Settings{}, err
		}
		st, saves = u.Apply(st), saves+1
		return st, nil
	}
	return &st, &saves
}

func TestSettings_Page(t *testing.T) {
	t.Run("Admin", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		settingsStore(ts)
		resp := ts.mustLogin(t, testAdmin).get("/settings")
		wantStatus(t, resp, http.StatusOK)
		wantContains(t, resp, "<h1>Settings</h1>", `<form id="settings-form"`, `name="team_name" id="team-name" value="TFTSR"`,
			`<option value="medium" selected>Medium</option>`, `<option value="general" selected>General</option>`,
			`<a href="/settings" class="active" aria-current="page">`)
		wantNotContains(t, resp, "Only admins can change team settings.")
	})

	t.Run("Viewer", func(t *testing.T) {
		ts := mustOpenServer(t, testViewer)
		st, _ := settingsStore(ts)
		st.TeamName = "<Night shift>"
		resp := ts.mustLogin(t, testViewer).get("/settings")
		wantStatus(t, resp, http.StatusOK)
		wantContains(t, resp, "<dd>&lt;Night shift&gt;</dd>", "Medium", "General", "Only admins can change team settings.")
		wantNotContains(t, resp, "<form id=\"settings-form\"", `name="team_name"`, "<Night shift>")
	})
}

func TestSettings_Update(t *testing.T) {
	form := url.Values{"team_name": {"Ops crew"}, "default_severity": {"high"}, "default_category": {"network"}, "paper_size": {"letter"}}

	t.Run("OK", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		st, saves := settingsStore(ts)
		c := ts.mustLogin(t, testAdmin)

		resp := c.post("/settings", form)
		wantStatus(t, resp, http.StatusSeeOther)
		if got := resp.Header.Get("Location"); got != "/settings" {
			t.Errorf("Location=%q, want /settings", got)
		}
		want := domain.Settings{TeamName: "Ops crew", DefaultSeverity: domain.SeverityHigh, DefaultCategory: "network", PaperSize: domain.PaperLetter, OllamaURL: domain.DefaultOllamaURL}
		if *saves != 1 || *st != want {
			t.Errorf("saves=%d settings=%+v, want 1 and %+v", *saves, *st, want)
		}
		page := c.follow(resp)
		wantContains(t, page, "Settings saved.", `value="Ops crew"`, "<title>Settings · Ops crew</title>")
	})

	t.Run("HTMXRedirects", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		settingsStore(ts)
		resp := ts.mustLogin(t, testAdmin).post("/settings", form, htmx...)
		wantStatus(t, resp, http.StatusNoContent)
		if got := resp.Header.Get("HX-Redirect"); got != "/settings" {
			t.Errorf("HX-Redirect=%q, want /settings", got)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		_, saves := settingsStore(ts)
		c := ts.mustLogin(t, testAdmin)

		resp := c.post("/settings", url.Values{"team_name": {"  "}, "default_severity": {"urgent"}, "default_category": {"network"}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp, `id="team_name-error">Team name is required.`,
			`id="default_severity-error">Choose critical, high, medium or low.`,
			`<option value="network" selected>Network</option>`)
		if *saves != 0 {
			t.Errorf("saves=%d, want 0", *saves)
		}

		resp = c.post("/settings", url.Values{"team_name": {""}}, htmx...)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		wantContains(t, resp, `<form id="settings-form"`, "Team name is required.")
		wantNotContains(t, resp, "<html")
	})

	t.Run("ErrViewerForbidden", func(t *testing.T) {
		ts := mustOpenServer(t, testViewer)
		st, saves := settingsStore(ts)
		resp := ts.mustLogin(t, testViewer).post("/settings", form)
		wantStatus(t, resp, http.StatusForbidden)
		wantContains(t, resp, "Only an admin may do that.")
		if *saves != 0 || *st != domain.DefaultSettings() {
			t.Errorf("saves=%d settings=%+v, want unchanged", *saves, *st)
		}
	})

	t.Run("ErrNoCSRFToken", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		_, saves := settingsStore(ts)
		resp := ts.mustLogin(t, testAdmin).postNoToken("/settings", form)
		wantStatus(t, resp, http.StatusForbidden)
		wantContains(t, resp, "security token is missing")
		if *saves != 0 {
			t.Errorf("saves=%d, want 0", *saves)
		}
	})

	t.Run("ErrWrongCSRFToken", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		_, saves := settingsStore(ts)
		f := url.Values{"_csrf": {"forged"}}
		for k, v := range form {
			f[k] = v
		}
		resp := ts.mustLogin(t, testAdmin).postNoToken("/settings", f)
		wantStatus(t, resp, http.StatusForbidden)
		if *saves != 0 {
			t.Errorf("saves=%d, want 0", *saves)
		}
	})

	t.Run("ErrSecFetchSiteSameOriginNoToken", func(t *testing.T) {
		// The browser's word that the page is the portal's own does not stand in for the token.
		ts := mustOpenServer(t, testAdmin)
		_, saves := settingsStore(ts)
		resp := ts.mustLogin(t, testAdmin).postNoToken("/settings", form, "Sec-Fetch-Site", "same-origin")
		wantStatus(t, resp, http.StatusForbidden)
		if *saves != 0 {
			t.Errorf("saves=%d, want 0", *saves)
		}
	})

	t.Run("OKSecFetchSiteSameOriginWithToken", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		_, saves := settingsStore(ts)
		resp := ts.mustLogin(t, testAdmin).post("/settings", form, "Sec-Fetch-Site", "same-origin")
		wantStatus(t, resp, http.StatusSeeOther)
		if *saves != 1 {
			t.Errorf("saves=%d, want 1", *saves)
		}
	})

	t.Run("ErrSecFetchSiteCrossSite", func(t *testing.T) {
		ts := mustOpenServer(t, testAdmin)
		_, saves := settingsStore(ts)
		resp := ts.mustLogin(t, testAdmin).post("/settings", form, "Sec-Fetch-Site", "cross-site")
		wantStatus(t, resp, http.StatusForbidden)
		if *saves != 0 {
			t.Errorf("saves=%d, want 0", *saves)
		}
	})
}
