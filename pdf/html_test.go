package pdf

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"tftsr/domain"
	"tftsr/markdown"
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
		`<li class="toc-h2"><a href="#md-impact">Impact</a></li>`,
		`<li class="toc-h3"><a href="#md-users-affected">Users affected</a></li>`,
		`<h2 id="md-impact">Impact</h2>`,
		`<img src="data:image/png;base64,cG5n" alt="graph">`,
		` svg `, ` remote`,
		`<input checked="" disabled="" type="checkbox" aria-label="Done">`,
		`<del>old</del>`,
		`<a href="https://example.com" rel="nofollow">https://example.com</a>`,
		`<code class="language-go">`,
		// Raw HTML in the Markdown prints as the text that was typed.
		`<p>&lt;script&gt;alert(2)&lt;/script&gt;</p>`,
		`<p>&lt;img src=x onerror=alert(3)&gt;</p>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	body := got[strings.Index(got, "<main"):]
	for _, bad := range []string{"<script", "<img src=x", " onerror=alert(3)>", "example.com/a.png", "image/svg", "<h1"} {
		if strings.Contains(body, bad) {
			t.Errorf("%q in the body:\n%s", bad, body)
		}
	}
}

// TestBodyMatchesPreview renders one document as the PDF's body and through package markdown,
// which the editor's preview renders with (views.TestMarkdownIsThePipeline holds that side): they
// are the same HTML, with the task list's
// checkboxes, the heading ids, the table and the code block, and without the hostile markup.
func TestBodyMatchesPreview(t *testing.T) {
	src := "# Root cause analysis\n\n## Summary\n\nThe **disk** filled up.\n\n### Users affected\n\n" +
		"- [x] rotate the logs\n- [ ] add an alert\n\n" +
		"| Host | Free | Note |\n| :--- | ---: | :---: |\n| db1 | 0 KB | full |\n\n" +
		"```sh\ndf -h /var <b>\n```\n\n" +
		"<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n" +
		"[click](javascript:alert(3)) and <a href=\"javascript:alert(4)\">raw</a> and ~~old~~ https://example.com\n"
	body, _, err := renderBody(domain.PrintableDocument{Title: "Disk full", Markdown: src})
	if err != nil {
		t.Fatal(err)
	}
	preview, err := markdown.HTML([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	// The PDF prints the opening h1 in its title block, not in the body.
	title := `<h1 id="md-root-cause-analysis">Root cause analysis</h1>` + "\n"
	if !strings.HasPrefix(string(preview), title) || string(body) != strings.TrimPrefix(string(preview), title) {
		t.Fatalf("the PDF body and the preview differ:\npdf:     %s\npreview: %s", body, string(preview))
	}

	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(preview)))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	doc.Find("h1, h2, h3").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("id", "")) })
	if got, want := strings.Join(ids, " "), "md-root-cause-analysis md-summary md-users-affected"; got != want {
		t.Errorf("heading ids %q, want %q", got, want)
	}
	if n := doc.Find("li > input[type=checkbox][disabled]").Length(); n != 2 {
		t.Errorf("%d task-list checkboxes, want 2", n)
	}
	if got := doc.Find("td[align=right]").Text(); got != "0 KB" {
		t.Errorf("right-aligned cell %q", got)
	}
	if got := doc.Find("pre > code.language-sh").Text(); got != "df -h /var <b>\n" {
		t.Errorf("code block %q", got)
	}
	if n := doc.Find("script, [onerror]").Length(); n > 0 {
		t.Errorf("%d script elements or handlers survived", n)
	}
	doc.Find("a").Each(func(_ int, s *goquery.Selection) {
		if href := s.AttrOr("href", ""); strings.Contains(strings.ToLower(href), "javascript:") {
			t.Errorf("link %q to %q survived", s.Text(), href)
		}
	})
	if got := doc.Find("p").Eq(1).Text(); got != "<script>alert(1)</script>" {
		t.Errorf("raw HTML block printed as %q, want the text as typed", got)
	}
}

// TestPrintHTMLTitleOnce prints a generated post-mortem, whose Markdown opens with its own
// heading ("Blameless Post-Mortem: …", not the stored title "Post-mortem: …"): the title block
// shows that heading, escapes resolved, and the body does not repeat it.
func TestPrintHTMLTitleOnce(t *testing.T) {
	got, err := printHTML(domain.PrintableDocument{
		Title: "Post-mortem: Checkout 502s #", Kind: "postmortem",
		Markdown: "# Blameless Post-Mortem: Checkout 502s \\# &amp; more\n\n## Summary\n\nText.\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	if n := doc.Find("h1").Length(); n != 1 {
		t.Errorf("%d h1 elements, want the title block's only", n)
	}
	if title := doc.Find("h1.doc-title").Text(); title != "Blameless Post-Mortem: Checkout 502s # & more" {
		t.Errorf("title block %q", title)
	}
	if n := strings.Count(doc.Find("body").Text(), "Checkout 502s"); n != 1 {
		t.Errorf("the title is printed %d times", n)
	}
	if doc.Find("main h2").Text() != "Summary" {
		t.Errorf("the body lost its sections: %s", got)
	}
}
