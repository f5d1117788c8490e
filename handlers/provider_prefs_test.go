package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"tftsr/domain"
)

// prefModels is a ChatModelFactory whose models answer "OK", except those of the configs named
// in down, which fail.
type prefModels struct{ down map[string]bool }

func (f prefModels) ChatModel(cfg domain.ProviderConfig) (domain.ChatModel, error) {
	if f.down[cfg.Name] {
		return fakeModel{err: domain.Errorf(domain.EUNAVAILABLE, "No answer from the provider at %s.", cfg.BaseURL)}, nil
	}
	return fakeModel{}, nil
}

// chosenProvider returns the provider the chat form of the incident page pre-selects, and the
// text of each option.
func chosenProvider(t *testing.T, c *client, issueID string) (string, map[string]string) {
	t.Helper()
	r := c.get("/issues/"+issueID+"/chat", nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("incident page: %d", r.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	sel := doc.Find("#chat-config")
	if sel.Length() != 1 {
		t.Fatalf("no provider choice in the chat form")
	}
	opts := map[string]string{}
	chosen := ""
	sel.Find("option").Each(func(_ int, o *goquery.Selection) {
		opts[o.AttrOr("value", "")] = o.Text()
		if _, ok := o.Attr("selected"); ok {
			if chosen != "" {
				t.Errorf("two options selected: %s and %s", chosen, o.AttrOr("value", ""))
			}
			chosen = o.AttrOr("value", "")
		}
	})
	return chosen, opts
}

// TestChatProviderPreference walks the order in which the chat pre-selects a provider: the
// user's last choice while it exists, else the team's default while it exists, else the first
// whose last test did not fail; and who may set the team's default.
func TestChatProviderPreference(t *testing.T) {
	p := newAIPortal(t, prefModels{down: map[string]bool{"alpha": true}})
	admin, rita, vic := p.login(t, "admin"), p.login(t, "rita"), p.login(t, "vic")
	for _, name := range []string{"alpha", "beta", "gamma", "delta"} {
		if r := admin.apiJSON(http.MethodPut, "/api/v1/ai/configs/"+name, map[string]any{"kind": "ollama", "model": "m-" + name}); r.StatusCode != http.StatusCreated {
			t.Fatalf("config %s: %d %s", name, r.StatusCode, r.Body)
		}
	}
	r := rita.apiJSON(http.MethodPost, "/api/v1/issues", map[string]any{"title": "Mail down"})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	var issue struct{ ID string }
	_ = json.Unmarshal([]byte(r.Body), &issue)
	hx := http.Header{"Hx-Request": {"true"}}

	// Nothing tested, no default, no choice: the first.
	if got, _ := chosenProvider(t, rita, issue.ID); got != "alpha" {
		t.Fatalf("untested: %q pre-selected, want alpha", got)
	}

	// alpha fails its test: it is marked, here and in the providers table, and the chat
	// starts on the first that did not fail.
	if r := admin.postForm("/settings/ai/alpha/test", url.Values{"_csrf": {admin.csrf()}}, hx); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "✗") {
		t.Fatalf("test alpha: %d %s", r.StatusCode, r.Body)
	}
	got, opts := chosenProvider(t, rita, issue.ID)
	if got != "beta" || !strings.Contains(opts["alpha"], "last test failed") || strings.Contains(opts["beta"], "failed") {
		t.Fatalf("after alpha failed: %q pre-selected, options %v", got, opts)
	}
	settings := admin.get("/settings", nil).Body
	if !strings.Contains(settings, "last test failed just now") || !strings.Contains(settings, ": No answer from the provider at") {
		t.Errorf("the admin's providers table does not show the failed test and its reason")
	}
	viewerSettings := vic.get("/settings", nil).Body
	if !strings.Contains(viewerSettings, "last test failed just now") || strings.Contains(viewerSettings, "No answer from the provider") {
		t.Errorf("a viewer's providers table should mark the failed test without its reason")
	}

	// Only an admin sets the team default, with a CSRF token, to a configured provider.
	team := func(c *client, name string, withToken bool) *response {
		form := url.Values{"team_name": {"Ops"}, "default_severity": {"medium"}, "default_category": {"general"},
			"paper_size": {"a4"}, "default_provider": {name}}
		if withToken {
			form.Set("_csrf", c.csrf())
		}
		return c.postForm("/settings", form, nil)
	}
	if r := team(rita, "gamma", true); r.StatusCode != http.StatusForbidden {
		t.Errorf("responder sets the team default: %d", r.StatusCode)
	}
	if r := rita.apiJSON(http.MethodPatch, "/api/v1/settings", map[string]any{"default_provider": "gamma"}); r.StatusCode != http.StatusForbidden {
		t.Errorf("responder sets the team default through the API: %d", r.StatusCode)
	}
	if r := team(admin, "gamma", false); r.StatusCode != http.StatusForbidden {
		t.Errorf("team default without a CSRF token: %d", r.StatusCode)
	}
	if got, _ := chosenProvider(t, rita, issue.ID); got != "beta" {
		t.Fatalf("a refused change took effect: %q pre-selected", got)
	}
	if r := team(admin, "nope", true); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="default_provider-error"`) {
		t.Errorf("unknown default provider: %d", r.StatusCode)
	}
	if r := team(admin, "gamma", true); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin sets the team default: %d %s", r.StatusCode, r.Body)
	}
	if got, _ := chosenProvider(t, rita, issue.ID); got != "gamma" {
		t.Fatalf("team default: %q pre-selected, want gamma", got)
	}

	// Sending with a provider makes it that user's choice, for them only.
	if r := rita.postForm("/issues/"+issue.ID+"/chat", url.Values{"message": {"hi"}, "config": {"delta"}, "_csrf": {rita.csrf()}}, hx); r.StatusCode != http.StatusOK {
		t.Fatalf("send: %d %s", r.StatusCode, r.Body)
	}
	if got, _ := chosenProvider(t, rita, issue.ID); got != "delta" {
		t.Fatalf("after sending with delta: %q pre-selected", got)
	}
	if got, _ := chosenProvider(t, admin, issue.ID); got != "gamma" {
		t.Fatalf("another user: %q pre-selected, want the team default", got)
	}

	// A deleted choice falls back to the team default, a deleted default to the first working.
	for _, name := range []string{"delta", "gamma"} {
		if r := admin.postForm("/settings/ai/"+name+"/delete", url.Values{"_csrf": {admin.csrf()}}, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete %s: %d", name, r.StatusCode)
		}
		want := map[string]string{"delta": "gamma", "gamma": "beta"}[name]
		if got, _ := chosenProvider(t, rita, issue.ID); got != want {
			t.Fatalf("after deleting %s: %q pre-selected, want %s", name, got, want)
		}
	}
}
