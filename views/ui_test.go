package views

import (
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

func renderString(t *testing.T, c templ.Component, children string) string {
	t.Helper()
	var b strings.Builder
	ctx := templ.WithChildren(context.Background(), templ.Raw(children))
	if err := c.Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestButtons: each variant and state has one spelling of classes, the type defaults to
// "button" (a button in a form does not submit by accident), and names and attributes are
// escaped.
func TestButtons(t *testing.T) {
	for _, c := range []struct {
		b    Btn
		want string
	}{
		{Btn{Variant: Primary}, `<button type="button" class="btn">Go</button>`},
		{Btn{Variant: Secondary, Outline: true, Small: true, Type: "submit"}, `<button type="submit" class="btn secondary outline small">Go</button>`},
		{Btn{Variant: Danger, Outline: true, Small: true, Label: `Delete "<b>x</b>"`, TestID: "d"},
			`<button type="button" class="btn danger outline small" data-testid="d" aria-label="Delete &#34;&lt;b&gt;x&lt;/b&gt;&#34;">Go</button>`},
		{Btn{Variant: Danger, ID: "confirm", Attrs: templ.Attributes{"hx-post": "/x?a=1&b=2"}}, `<button type="button" class="btn danger" id="confirm" hx-post="/x?a=1&amp;b=2">Go</button>`},
	} {
		if got := renderString(t, Button(c.b), "Go"); got != c.want {
			t.Errorf("Button(%+v)\n got %s\nwant %s", c.b, got, c.want)
		}
	}
	if got := renderString(t, LinkButton("/issues/1/delete", Btn{Variant: Danger, Outline: true, Small: true}), "Delete"); got != `<a href="/issues/1/delete" role="button" class="btn danger outline small">Delete</a>` {
		t.Errorf("LinkButton: %s", got)
	}
}

// TestTableCardAndDialog: a table has its caption and becomes cards only when asked; a card and
// a dialog are named by their headings.
func TestTableCardAndDialog(t *testing.T) {
	if got := renderString(t, Table("Users", true, "users"), "<tr></tr>"); !strings.Contains(got, `<table class="data cards" data-testid="users"><caption class="visually-hidden">Users</caption><tr></tr></table>`) {
		t.Errorf("Table: %s", got)
	}
	if got := renderString(t, Table("Logs", false, ""), ""); strings.Contains(got, "cards") {
		t.Errorf("Table without cards: %s", got)
	}
	if got := renderString(t, Card("tokens", "tokens-h", "API <tokens>", nil), "<p>x</p>"); !strings.Contains(got, `<section class="card" id="tokens" aria-labelledby="tokens-h">`) ||
		!strings.Contains(got, `<h2 id="tokens-h">API &lt;tokens&gt;</h2>`) || !strings.Contains(got, "<p>x</p>") {
		t.Errorf("Card: %s", got)
	}
	if got := renderString(t, Dialog("log", "View log"), ""); !strings.Contains(got, `<dialog id="log" class="ui-dialog" aria-labelledby="log-title">`) || !strings.Contains(got, `<h2 id="log-title">View log</h2>`) {
		t.Errorf("Dialog: %s", got)
	}
}
