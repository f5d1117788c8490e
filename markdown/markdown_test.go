package markdown_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"tftsr/markdown"
)

// parse converts src and parses the HTML for structural checks.
func parse(t *testing.T, src string) (string, *goquery.Document) {
	t.Helper()
	html, err := markdown.HTML([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(html)))
	if err != nil {
		t.Fatal(err)
	}
	return string(html), doc
}

func TestHTML(t *testing.T) {
	src := "# Root cause\n\n## Impact\n\n## Impact\n\n## Timeline\n\n" +
		"- [x] rotate the key\n- [ ] add an alert\n\n" +
		"| Host | Load |\n| :--- | ---: |\n| db1 | 0.9 |\n\n" +
		"```go\nfmt.Println(\"<b>\")\n```\n\n" +
		"~~old~~ https://example.com and [docs](/issues/1)\n"
	html, doc := parse(t, src)

	var ids []string
	doc.Find("h1, h2").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("id", "")) })
	if got, want := strings.Join(ids, " "), "md-root-cause md-impact md-impact-1 md-timeline"; got != want {
		t.Errorf("heading ids %q, want %q", got, want)
	}
	boxes := doc.Find(`li > input[type=checkbox][disabled]`)
	if boxes.Length() != 2 || boxes.First().AttrOr("checked", "none") != "" || boxes.Last().AttrOr("checked", "none") != "none" {
		t.Errorf("task list checkboxes: %d in %s", boxes.Length(), html)
	}
	if got := boxes.First().AttrOr("aria-label", "") + "|" + boxes.Last().AttrOr("aria-label", ""); got != "Done|To do" {
		t.Errorf("task list checkbox names %q, want Done|To do, in %s", got, html)
	}
	if got := doc.Find(`th[align=left]`).Text() + "|" + doc.Find(`td[align=right]`).Text(); got != "Host|0.9" {
		t.Errorf("table alignment %q in %s", got, html)
	}
	if got := doc.Find(`pre > code.language-go`).Text(); got != "fmt.Println(\"<b>\")\n" {
		t.Errorf("code block %q in %s", got, html)
	}
	if doc.Find("del").Text() != "old" {
		t.Errorf("no strikethrough in %s", html)
	}
	if a := doc.Find(`a[href="https://example.com"]`); a.Text() != "https://example.com" || a.AttrOr("rel", "") != "nofollow" {
		t.Errorf("autolink in %s", html)
	}
	if doc.Find(`a[href="/issues/1"]`).Text() != "docs" {
		t.Errorf("relative link in %s", html)
	}
}

func TestHTMLRemovesHostileMarkup(t *testing.T) {
	for name, src := range map[string]string{
		"script":           "<script>alert(1)</script>\n\ntext",
		"inline script":    "a <script>alert(1)</script> b",
		"onerror":          "<img src=x onerror=alert(1)>",
		"inline onerror":   "a <img src=x onerror=alert(1)> b",
		"javascript link":  "[click](javascript:alert(1))",
		"javascript case":  "[click](JaVaScRiPt:alert(1))",
		"javascript image": "![x](javascript:alert(1))",
		"autolink":         "<javascript:alert(1)>",
		"data html link":   "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"svg data image":   "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
		"iframe":           "<iframe src=\"https://evil.example\"></iframe>",
		"style":            "<style>body{display:none}</style>",
		"form":             "<form action=\"https://evil.example\"><input type=text name=p></form>",
		"checkbox":         "<input type=checkbox onclick=alert(1)>",
		"heading id":       "<h2 id=\"timeline\">x</h2>",
	} {
		t.Run(name, func(t *testing.T) {
			html, doc := parse(t, src)
			for _, bad := range hostile(doc) {
				t.Errorf("%s in %s", bad, html)
			}
		})
	}
}

// rasterData is the start of a data: URL of a raster image, which the policy allows.
var rasterData = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp);base64,`)

// hostile returns what in doc could run script or load something: script-like elements, event
// handler attributes, javascript: URLs, data: URLs other than raster images, and an id that a
// portal element has.
func hostile(doc *goquery.Document) []string {
	var out []string
	doc.Find("script, iframe, object, embed, style, form, svg, math, [id=timeline]").Each(func(_ int, s *goquery.Selection) {
		out = append(out, "element "+goquery.NodeName(s))
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			if strings.HasPrefix(a.Key, "on") || strings.Contains(v, "javascript:") ||
				strings.HasPrefix(v, "data:") && !rasterData.MatchString(v) {
				out = append(out, "attribute "+a.Key+"="+a.Val)
			}
		}
	})
	return out
}

func TestHTMLKeepsDataImages(t *testing.T) {
	_, doc := parse(t, "![graph](data:image/png;base64,cG5n)")
	if got := doc.Find("img").AttrOr("src", ""); got != "data:image/png;base64,cG5n" {
		t.Errorf("data: PNG src %q", got)
	}
}

func FuzzHTML(f *testing.F) {
	f.Add("# a\n\n- [x] b\n\n<script>c</script> [d](javascript:e) <img src=x onerror=f>")
	f.Add("[x](data:text/html;base64,PHNjcmlwdD4=) ![y](javascript:z)")
	f.Fuzz(func(t *testing.T, src string) {
		html, doc := parse(t, src)
		for _, bad := range hostile(doc) {
			t.Errorf("%q gave %s: %s", src, bad, html)
		}
	})
}

// TestHTMLShowsRawHTMLAsText checks that raw HTML typed or pasted into Markdown is shown as the
// text it is, escaped, rather than dropped or passed through, wherever it stands; and that code
// spans and code blocks keep their own rendering.
func TestHTMLShowsRawHTMLAsText(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		text      string // the visible text of the whole output, spaces collapsed
		html      string // a fragment the HTML must contain
	}{
		{"inline tag", "say <b>x</b> now", "say <b>x</b> now", "say &lt;b&gt;x&lt;/b&gt; now"},
		{"block script", "<script>alert(1)</script>\n\ntext", "<script>alert(1)</script> text", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		{"block div keeps lines", "<div>\n*x*\n</div>", "<div> *x* </div>", "&lt;div&gt;<br>\n*x*<br>\n&lt;/div&gt;"},
		{"comment", "a <!-- note --> b", "a <!-- note --> b", "a &lt;!-- note --&gt; b"},
		{"block comment", "<!--\nhidden\n-->", "<!-- hidden -->", "&lt;!--<br>\nhidden<br>\n--&gt;"},
		{"entity encoded stays as typed", "&lt;b&gt; and &amp;", "<b> and &", "&lt;b&gt; and &amp;"},
		{"markup around an entity", "<b>&amp;</b>", "<b>&</b>", "&lt;b&gt;&amp;&lt;/b&gt;"},
		{"in a list", "- one <i>y</i>\n- <img src=x onerror=alert(1)>", "one <i>y</i> <img src=x onerror=alert(1)>", "<li>one &lt;i&gt;y&lt;/i&gt;</li>"},
		{"in a quote", "> <u>q</u>", "<u>q</u>", "<blockquote>\n<p>&lt;u&gt;q&lt;/u&gt;</p>"},
		{"code span unchanged", "`<b>x</b>`", "<b>x</b>", "<code>&lt;b&gt;x&lt;/b&gt;</code>"},
		{"code block unchanged", "```\n<b>x</b>\n```", "<b>x</b>", "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>"},
		{"markdown around still works", "**bold** <span>s</span>", "bold <span>s</span>", "<strong>bold</strong> &lt;span&gt;s&lt;/span&gt;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			html, doc := parse(t, tc.src)
			if got := strings.Join(strings.Fields(doc.Text()), " "); got != tc.text {
				t.Errorf("text %q, want %q (html %s)", got, tc.text, html)
			}
			if !strings.Contains(html, tc.html) {
				t.Errorf("html %q lacks %q", html, tc.html)
			}
			if doc.Find("b, i, u, span, div, img, script").Length() != 0 {
				t.Errorf("raw HTML became an element: %s", html)
			}
			for _, bad := range hostile(doc) {
				t.Errorf("%s in %s", bad, html)
			}
		})
	}
}
