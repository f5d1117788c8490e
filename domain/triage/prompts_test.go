package triage_test

import (
	"strings"
	"testing"

	"tftsr/domain/triage"
)

func TestCategoryPrompt(t *testing.T) {
	general := triage.CategoryPrompt("general")
	if !strings.Contains(general, "First questions:") {
		t.Errorf("the general prompt has no first questions: %q", general)
	}
	for _, c := range []string{"", "nonsense", "Linux"} {
		if got := triage.CategoryPrompt(c); got != general {
			t.Errorf("CategoryPrompt(%q) = %q, want the general prompt", c, got)
		}
	}
	if got := triage.CategoryPrompt("linux"); got == general || !strings.Contains(got, "journalctl") {
		t.Errorf("CategoryPrompt(linux) = %q", got)
	}
}

func TestSystemPrompt(t *testing.T) {
	got := triage.SystemPrompt(triage.Prompt{Category: "databases", CategoryLabel: "Databases", Title: "DB down",
		Severity: "High", Status: "Open", Level: 1,
		Whys: []triage.Why{{Number: 1, Question: "Why\ndown?", Answer: "Disk  full", Evidence: "db.log:7"}, {Number: 2, Question: "Why full?"}}})
	for _, want := range []string{"triage assistant", "## Category: Databases\nFocus: connections and pooling", "Title: DB down",
		"Severity: High", "Status: Open", "level 1 of 5", "- Why 1: Why down?\n  Answer: Disk full\n  Evidence: db.log:7\n- Why 2: Why full?\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("system prompt lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "None yet") {
		t.Errorf("a prompt with whys says there are none:\n%s", got)
	}
	empty := triage.SystemPrompt(triage.Prompt{Category: "general", CategoryLabel: "General", Title: "x"})
	if !strings.Contains(empty, "## 5-Whys so far\nNone yet: start with Why 1.") || strings.Contains(empty, "level 0") {
		t.Errorf("prompt without whys:\n%s", empty)
	}
}
