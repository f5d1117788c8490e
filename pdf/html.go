package pdf

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"

	"tftsr/domain"
	"tftsr/markdown"
)

//go:embed print.css
var printCSS string

// contentSecurityPolicy forbids scripts and every fetch but the page's own inline styles and
// data: images, so that the printed page can reach nothing even if the sanitiser missed something.
const contentSecurityPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; " +
	"base-uri 'none'; form-action 'none'"

// embeddableTypes are the image types that are embedded as data: URLs. Other types, SVG among
// them, are dropped and leave their alt text.
var embeddableTypes = map[string]bool{
	"image/png":  true,
	"image/jpeg": true,
	"image/gif":  true,
	"image/webp": true,
}

// pageTemplate is the HTML page that Chromium prints.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<header class="title-block">
<p class="kind">{{.Kind}}</p>
<h1 class="doc-title">{{.Title}}</h1>
{{- if .IncidentTitle}}
<p class="incident">Incident: {{.IncidentTitle}}</p>
{{- end}}
<dl class="facts">
<div><dt>Severity</dt><dd><span class="badge sev-{{.SeverityClass}}">{{.Severity}}</span></dd></div>
<div><dt>Status</dt><dd>{{.Status}}</dd></div>
<div><dt>Version</dt><dd>{{.Version}}</dd></div>
<div><dt>Opened</dt><dd>{{.OpenedAt}}</dd></div>
<div><dt>Resolved</dt><dd>{{.ResolvedAt}}</dd></div>
<div><dt>Generated</dt><dd>{{.GeneratedAt}}</dd></div>
<div style="grid-column: 1 / -1"><dt>Authors</dt><dd>{{.Authors}}</dd></div>
</dl>
</header>
{{- if .TOC}}
<nav class="toc">
<p class="toc-title">Contents</p>
<ol>
{{- range .TOC}}
<li class="toc-h{{.Level}}"><a href="#{{.ID}}">{{.Text}}</a></li>
{{- end}}
</ol>
</nav>
{{- end}}
<main class="content">
{{.Body}}
</main>
</body>
</html>
`))

// pageData is the data of pageTemplate. Every string is escaped by html/template; only Body and CSS
// are trusted, Body because it has been sanitised.
type pageData struct {
	CSP           string
	CSS           template.CSS
	Kind          string
	Title         string
	IncidentTitle string
	Severity      string
	SeverityClass string
	Status        string
	Version       string
	OpenedAt      string
	ResolvedAt    string
	GeneratedAt   string
	Authors       string
	TOC           []tocEntry
	Body          template.HTML
}

// tocEntry is one line of the table of contents: an h2 or h3 and its id.
type tocEntry struct {
	Level int
	ID    string
	Text  string
}

// printHTML returns the complete HTML page that Chromium prints for doc: the title block, a table
// of contents of the h2 and h3 headings, and the sanitised body.
func printHTML(doc domain.PrintableDocument) (string, error) {
	if h := leadingTitle(doc.Markdown); h != "" {
		doc.Title = h
	}
	body, toc, err := renderBody(doc)
	if err != nil {
		return "", err
	}
	p := pageData{
		CSP:           contentSecurityPolicy,
		CSS:           template.CSS(printCSS),
		Kind:          kindLabel(doc.Kind),
		Title:         doc.Title,
		IncidentTitle: doc.IncidentTitle,
		Severity:      orDash(string(doc.Severity)),
		SeverityClass: severityClass(doc.Severity),
		Status:        orDash(capitalise(string(doc.Status))),
		Version:       "—",
		OpenedAt:      formatTime(doc.OpenedAt),
		ResolvedAt:    "—",
		GeneratedAt:   formatTime(doc.GeneratedAt),
		Authors:       orDash(strings.Join(doc.Authors, ", ")),
		TOC:           toc,
		Body:          template.HTML(body),
	}
	if doc.Version > 0 {
		p.Version = fmt.Sprintf("v%d", doc.Version)
	}
	if doc.ResolvedAt != nil {
		p.ResolvedAt = formatTime(*doc.ResolvedAt)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		return "", fmt.Errorf("pdf: execute the page template: %w", err)
	}
	return buf.String(), nil
}

// renderBody converts the document's Markdown to sanitised HTML through the pipeline of the
// editor's preview (package markdown), and returns the table of contents. Images whose URL is in
// doc.Images become data: URLs; any other image is replaced by its alt text, so that Chromium
// fetches nothing. A first h1 is the document's own title, which the title block shows (see
// leadingTitle): it is dropped, so that the title is printed once.
func renderBody(doc domain.PrintableDocument) ([]byte, []tocEntry, error) {
	source := []byte(doc.Markdown)
	root := markdown.Parse(source)

	if first, ok := root.FirstChild().(*ast.Heading); ok && first.Level == 1 {
		root.RemoveChild(root, first)
	}

	var toc []tocEntry
	var images []*ast.Image
	err := ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			if id, ok := n.AttributeString("id"); ok && (n.Level == 2 || n.Level == 3) {
				if b, ok := id.([]byte); ok {
					toc = append(toc, tocEntry{Level: n.Level, ID: string(b), Text: nodeText(n, source)})
				}
			}
		case *ast.Image:
			images = append(images, n)
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("pdf: walk the markdown: %w", err)
	}
	for _, img := range images {
		embedImage(img, doc.Images, source)
	}

	body, err := markdown.Render(root, source)
	if err != nil {
		return nil, nil, fmt.Errorf("pdf: render the markdown: %w", err)
	}
	return body, toc, nil
}

// leadingTitle returns the text of the h1 that opens the Markdown, or "" when it opens with
// something else. The generated documents open with their title ("# Blameless Post-Mortem: …"),
// which the PDF's title block shows in place of the stored title.
func leadingTitle(md string) string {
	source := []byte(md)
	if first, ok := markdown.Parse(source).FirstChild().(*ast.Heading); ok && first.Level == 1 {
		return strings.TrimSpace(nodeText(first, source))
	}
	return ""
}

// embedImage points img at a data: URL of its bytes from images, or replaces it with its alt text
// when the URL is not there or its type is not embeddable.
func embedImage(img *ast.Image, images map[string]domain.PrintImage, source []byte) {
	if pi, ok := images[string(img.Destination)]; ok && embeddableTypes[strings.ToLower(pi.MimeType)] {
		img.Destination = []byte("data:" + strings.ToLower(pi.MimeType) + ";base64," +
			base64.StdEncoding.EncodeToString(pi.Data))
		return
	}
	parent := img.Parent()
	if parent == nil {
		return
	}
	alt := nodeText(img, source)
	if alt == "" {
		parent.RemoveChild(parent, img)
		return
	}
	parent.ReplaceChild(parent, img, ast.NewString([]byte(alt)))
}

// nodeText returns the plain text of n's inline children.
func nodeText(n ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			// As the HTML shows it: backslash escapes and character references resolved.
			b.Write(util.UnescapePunctuations(util.ResolveEntityNames(util.ResolveNumericReferences(c.Segment.Value(source)))))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if s, ok := t.(*ast.Text); ok {
					b.Write(s.Segment.Value(source))
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// kindLabel returns the heading above the title for a document kind.
func kindLabel(kind string) string {
	switch kind {
	case "rca":
		return "Root cause analysis"
	case "postmortem":
		return "Blameless post-mortem"
	}
	return "Incident report"
}

// severityClass returns the CSS class suffix of a severity's badge.
func severityClass(s domain.Severity) string {
	switch s {
	case domain.SeverityCritical, domain.SeverityHigh, domain.SeverityMedium, domain.SeverityLow:
		return string(s)
	}
	return "unknown"
}

// formatTime formats a time for the title block in UTC, or a dash for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// capitalise returns s with its first letter in upper case.
func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// orDash returns s, or a dash when s is empty.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
