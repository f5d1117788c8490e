// Package markdown is the portal's one Markdown pipeline: untrusted GitHub-flavoured Markdown
// (tables, task lists, strikethrough, autolinks) converted to HTML by goldmark, with ids on
// headings, and sanitised by one bluemonday policy. Views renders descriptions, chat replies and
// the document editor's preview with it, and pdf the printed documents, so that a preview shows
// what the PDF prints.
//
// It is a package of its own because of the layering: views and pdf may not import each other,
// and domain imports only the standard library. It imports no package of the portal, only
// goldmark and bluemonday, so that both can import it.
package markdown

import (
	"bytes"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// HeadingIDPrefix begins every heading id. Rendered Markdown sits inside portal pages, so a
// heading such as "## Timeline" must not take the id of an element of the page around it (the
// incident page's #timeline, which htmx swaps): it gets id="md-timeline".
const HeadingIDPrefix = "md-"

// converter converts GitHub-flavoured Markdown to HTML, with table cell alignment as align
// attributes and an id on every heading. Raw HTML in the Markdown is shown as text (see
// literalHTML), and goldmark empties dangerous link destinations (javascript: and the like).
var converter = goldmark.New(
	goldmark.WithExtensions(
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.Linkify,
		extension.TaskList,
	),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(literalHTML{}, 100), util.Prioritized(taskCheckBoxRenderer{}, 0))),
)

// taskCheckBoxRenderer renders a task-list item's box as goldmark does, with a name ("Done" or
// "To do"), which a form control needs even when it is disabled.
type taskCheckBoxRenderer struct{}

func (taskCheckBoxRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(east.KindTaskCheckBox, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			if n.(*east.TaskCheckBox).IsChecked {
				_, _ = w.WriteString(`<input checked="" disabled="" type="checkbox" aria-label="Done"> `)
			} else {
				_, _ = w.WriteString(`<input disabled="" type="checkbox" aria-label="To do"> `)
			}
		}
		return ast.WalkContinue, nil
	})
}

// literalHTML renders the raw HTML that Markdown allows (inline tags, comments, HTML blocks) as
// escaped text, so that markup pasted into a description, a chat message or a document reads
// exactly as typed: "<b>x</b>" shows its tags, a pasted <script> is visible and inert. Goldmark
// alone would drop it and lose the text. Code spans and code blocks are not raw HTML and keep
// their own rendering.
type literalHTML struct{}

// RegisterFuncs replaces goldmark's renderers of the two raw HTML kinds (its priority, 100, is
// above goldmark's HTML renderer at 1000, so these win).
func (literalHTML) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindRawHTML, renderRawHTML)
	r.Register(ast.KindHTMLBlock, renderHTMLBlock)
}

// renderRawHTML writes inline raw HTML, escaped, where it stood in its paragraph.
func renderRawHTML(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		segs := node.(*ast.RawHTML).Segments
		for i := range segs.Len() {
			seg := segs.At(i)
			_, _ = w.Write(util.EscapeHTML(seg.Value(src)))
		}
	}
	return ast.WalkSkipChildren, nil
}

// renderHTMLBlock writes an HTML block as a paragraph of its escaped lines, each line break kept.
func renderHTMLBlock(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.HTMLBlock)
	var lines [][]byte
	for i := range n.Lines().Len() {
		line := n.Lines().At(i)
		lines = append(lines, line.Value(src))
	}
	if n.HasClosure() {
		closure := n.ClosureLine
		lines = append(lines, closure.Value(src))
	}
	_, _ = w.WriteString("<p>")
	for i, line := range lines {
		if i > 0 {
			_, _ = w.WriteString("<br>\n")
		}
		_, _ = w.Write(util.EscapeHTML(bytes.TrimRight(line, "\r\n")))
	}
	_, _ = w.WriteString("</p>\n")
	return ast.WalkSkipChildren, nil
}

// policy is the sanitiser of everything converter makes.
var policy = newPolicy()

// newPolicy returns bluemonday's policy for user content (which already allows ids, the heading
// ids among them, and adds rel="nofollow" to links), plus a language class on code, disabled
// task-list checkboxes, and images from data: URLs of the raster types (the PDF embeds its images
// so; SVG stays out).
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+#.-]+$`)).OnElements("code")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$`)).OnElements("input")
	p.AllowAttrs("aria-label").Matching(regexp.MustCompile(`^(Done|To do)$`)).OnElements("input")
	p.AllowDataURIImages()
	return p
}

// Parse parses untrusted Markdown into a tree, for a caller that changes the tree before Render
// (the PDF embeds images and drops a first heading that repeats the title). Headings get ids
// that begin with HeadingIDPrefix and are unique within src.
func Parse(src []byte) ast.Node {
	ids := prefixedIDs{parser.NewContext().IDs()}
	return converter.Parser().Parse(text.NewReader(src), parser.WithContext(parser.NewContext(parser.WithIDs(ids))))
}

// Render renders root, a tree that Parse made of src, as sanitised HTML.
func Render(root ast.Node, src []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := converter.Renderer().Render(&buf, src, root); err != nil {
		return nil, err
	}
	return policy.SanitizeBytes(buf.Bytes()), nil
}

// HTML converts untrusted Markdown to sanitised HTML.
func HTML(src []byte) ([]byte, error) {
	return Render(Parse(src), src)
}

// prefixedIDs is goldmark's id generator with HeadingIDPrefix before every id it makes.
type prefixedIDs struct{ parser.IDs }

// Generate returns a new id for value, with the prefix.
func (p prefixedIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	return append([]byte(HeadingIDPrefix), p.IDs.Generate(value, kind)...)
}
