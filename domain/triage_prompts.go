package domain

import "tftsr/domain/triage"

// TriageSystemPrompt is the one system message of a triage chat (triage.SystemPrompt) for an
// incident and its 5-Whys. It holds user text (title, whys), so it goes through the redaction
// gate before it is sent.
func TriageSystemPrompt(issue *Issue, steps []*FiveWhy) string {
	in := triage.Prompt{
		Category: string(issue.Category), CategoryLabel: issue.Category.Label(),
		Title: issue.Title, Severity: issue.Severity.Label(), Status: issue.Status.Label(),
		Level: WhyLevel(steps),
	}
	for _, s := range steps {
		in.Whys = append(in.Whys, triage.Why{Number: s.WhyNumber, Question: s.Question, Answer: s.Answer, Evidence: s.Evidence})
	}
	return triage.SystemPrompt(in)
}
