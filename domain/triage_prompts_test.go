package domain_test

import (
	"strings"
	"testing"

	"tftsr/domain"
	"tftsr/domain/triage"
)

// Every category has a prompt of its own with first questions.
func TestCategoryPrompts(t *testing.T) {
	general := triage.CategoryPrompt("general")
	for _, c := range domain.Categories {
		p := triage.CategoryPrompt(string(c))
		if !strings.Contains(p, "First questions:") {
			t.Errorf("category %s has no prompt with first questions", c)
		}
		if c != "general" && p == general {
			t.Errorf("category %s has no prompt of its own", c)
		}
	}
}

func TestTriageSystemPrompt(t *testing.T) {
	issue := &domain.Issue{Title: "DB down", Severity: domain.SeverityHigh, Status: domain.StatusOpen, Category: "databases"}
	got := domain.TriageSystemPrompt(issue, []*domain.FiveWhy{{WhyNumber: 1, Question: "Why down?", Answer: "Disk full"}})
	for _, want := range []string{"triage assistant", "Category: Databases", "Title: DB down", "Severity: High", "Status: Open", "Why 1: Why down?", "Answer: Disk full", "level 1 of 5"} {
		if !strings.Contains(got, want) {
			t.Errorf("system prompt lacks %q:\n%s", want, got)
		}
	}
}
