package digest

import (
	"fmt"
	"strings"
)

// Render writes a digest as compact text for an AI prompt, the most relevant templates
// first, in at most budgetBytes bytes (budgetBytes <= 0: no limit). Templates that do not
// fit are counted at the end when the note fits.
func Render(d Digest, budgetBytes int) string {
	var b strings.Builder
	head := fmt.Sprintf("Log digest: %d lines, %d templates (variable parts masked as <*>, <NUM>, <IP>, ...).\n", d.Lines, len(d.Templates))
	if d.Other > 0 {
		head += fmt.Sprintf("%d lines fit no template.\n", d.Other)
	}
	if !fits(&b, head, budgetBytes) {
		return ""
	}
	b.WriteString(head)
	for i, t := range d.Templates {
		entry := renderTemplate(t)
		if !fits(&b, entry, budgetBytes) {
			if note := fmt.Sprintf("… %d more templates.\n", len(d.Templates)-i); fits(&b, note, budgetBytes) {
				b.WriteString(note)
			}
			break
		}
		b.WriteString(entry)
	}
	return b.String()
}

// fits reports whether s can be added to b within the budget.
func fits(b *strings.Builder, s string, budget int) bool {
	return budget <= 0 || b.Len()+len(s) <= budget
}

// renderTemplate writes one template: level, kind, count, where it was seen, the template
// and its example.
func renderTemplate(t Template) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s", strings.ToUpper(string(t.Level)))
	if t.Kind == KindStackTrace {
		b.WriteString(" stacktrace")
	}
	fmt.Fprintf(&b, "] x%d lines %d-%d", t.Count, t.FirstLine, t.LastLine)
	if t.FirstSeen != nil {
		fmt.Fprintf(&b, " (%s .. %s)", FormatSeen(t.FirstSeen), FormatSeen(t.LastSeen))
	}
	fmt.Fprintf(&b, ": %s\n", t.Template)
	if t.Example != "" && t.Count > 1 || t.Kind == KindStackTrace {
		fmt.Fprintf(&b, "  e.g. line %d: %s\n", t.ExampleLine, strings.ReplaceAll(t.Example, "\n", " ⏎ "))
	}
	return b.String()
}
