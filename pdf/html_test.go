package pdf

import (
	"strings"
	"testing"

	"tftsr/domain"
)

func TestPrintHTML(t *testing.T) {
	doc := domain.PrintableDocument{
		Title:         `Post-mortem: "checkout" & co`,
		IncidentTitle: "<script>alert(1)</script>",
		Severity:      domain.SeverityCritical,
		Kind:          "postmortem",
		Authors:       []string{"<i>Eve</i>"},
		Markdown: "# Post-mortem: \"checkout\" & co\n\n## Impact\n\n### Users affected\n\n" +
			"<script>alert(2)</script>\n\n<img src=x onerror=alert(3)>\n\n" +
			"![graph](/images/1) ![svg](/images/2) ![remote](https://example.com/a.png)\n\n" +
			"- [x] done\n\n~~old~~ https://example.com\n\n```go\nfmt.Println(1)\n```\n",
		Images: map[string]domain.PrintImage{
			"/images/1": {MimeType: "image/png", Data: []byte("png")},
			"/images/2": {MimeType: "image/svg+xml", Data: []byte("<svg/>")},
		},
	}
	got, err := printHTML(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`Content-Security-Policy`,
		`<h1 class="doc-title">Post-mortem: &#34;checkout&#34; &amp; co</h1>`,
		`Incident: &lt;script&gt;alert(1)&lt;/script&gt;`,
		`&lt;i&gt;Eve&lt;/i&gt;`,
		`<span class="badge sev-critical">critical</span>`,
		`<li class="toc-h2"><a href="#impact">Impact</a></li>`,
		`<li class="toc-h3"><a href="#users-affected">Users affected</a></li>`,
		`<h2 id="impact">Impact</h2>`,
		`<img src="data:image/png;base64,cG5n" alt="graph">`,
		` svg `, ` remote`,
		`<input checked="" disabled="" type="checkbox">`,
		`<del>old</del>`,
		`<a href="https://example.com" rel="nofollow">https://example.com</a>`,
		`<code class="language-go">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	body := got[strings.Index(got, "<main"):]
	for _, bad := range []string{"<script", "onerror", "alert(", "example.com/a.png", "image/svg", "<h1"} {
		if strings.Contains(body, bad) {
			t.Errorf("%q in the body:\n%s", bad, body)
		}
	}
}
