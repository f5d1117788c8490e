package views

import (
	"context"
	"strings"
	"testing"

	"tftsr/markdown"
)

// TestMarkdownIsThePipeline: the editor's preview is exactly what package markdown makes, the
// pipeline the PDF body uses too (pdf.TestBodyMatchesPreview holds that side).
func TestMarkdownIsThePipeline(t *testing.T) {
	src := "# Title\n\n- [x] done\n- [ ] open\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n<script>alert(1)</script>\n"
	want, err := markdown.HTML([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	if err := Markdown(src).Render(context.Background(), &got); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Fatalf("preview:\n%s\nmarkdown.HTML:\n%s", got.String(), want)
	}
	if !strings.Contains(got.String(), `type="checkbox"`) || strings.Contains(got.String(), "<script") {
		t.Fatalf("preview lost the checkboxes or kept the script:\n%s", got.String())
	}
}
