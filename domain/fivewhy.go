package domain

import (
	"strings"
	"time"

	"tftsr/domain/triage"
)

// MaxWhySteps is the number of whys in a 5-Whys analysis.
const MaxWhySteps = 5

// FiveWhy is one step of an incident's 5-Whys analysis. The seed calls these resolution steps.
type FiveWhy struct {
	ID        string    `json:"id"`
	IssueID   string    `json:"issue_id"`
	WhyNumber int       `json:"why_number"`
	Question  string    `json:"question"`
	Answer    string    `json:"answer"`
	Evidence  string    `json:"evidence"`
	CreatedBy *string   `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// NewFiveWhy is the input to add a step.
type NewFiveWhy struct {
	WhyNumber int    `json:"why_number"`
	Question  string `json:"question"`
	Answer    string `json:"answer"`
	Evidence  string `json:"evidence"`
}

// Validate normalises n and checks every field.
func (n *NewFiveWhy) Validate() error {
	n.Question = strings.TrimSpace(normaliseNewlines(n.Question))
	n.Answer = strings.TrimSpace(normaliseNewlines(n.Answer))
	n.Evidence = strings.TrimSpace(normaliseNewlines(n.Evidence))
	fields := map[string]string{}
	if n.WhyNumber < 1 || n.WhyNumber > MaxWhySteps {
		fields["why_number"] = "Choose a step from 1 to 5."
	}
	if n.Question == "" {
		fields["question"] = "Question is required."
	} else if msg := validateText(n.Question, triage.MaxQuestionLen, true); msg != "" {
		fields["question"] = "Question: " + msg
	}
	if msg := validateText(n.Answer, triage.MaxAnswerLen, true); msg != "" {
		fields["answer"] = "Answer: " + msg
	}
	if msg := validateText(n.Evidence, triage.MaxEvidenceLen, true); msg != "" {
		fields["evidence"] = "Evidence: " + msg
	}
	return fieldsError(fields)
}

// FiveWhyUpdate sets the answer and, when given, the evidence of a step.
type FiveWhyUpdate struct {
	Answer   *string `json:"answer"`
	Evidence *string `json:"evidence"`
}

// Validate normalises u and checks the fields it sets.
func (u *FiveWhyUpdate) Validate() error {
	fields := map[string]string{}
	if u.Answer == nil && u.Evidence == nil {
		fields["answer"] = "Give an answer or evidence."
	}
	if u.Answer != nil {
		a := strings.TrimSpace(normaliseNewlines(*u.Answer))
		u.Answer = &a
		if msg := validateText(a, triage.MaxAnswerLen, true); msg != "" {
			fields["answer"] = "Answer: " + msg
		}
	}
	if u.Evidence != nil {
		e := strings.TrimSpace(normaliseNewlines(*u.Evidence))
		u.Evidence = &e
		if msg := validateText(e, triage.MaxEvidenceLen, true); msg != "" {
			fields["evidence"] = "Evidence: " + msg
		}
	}
	return fieldsError(fields)
}

// WhyLevel returns the current why level of a chain: the highest step with an answer, 0 when no
// step is answered.
func WhyLevel(steps []*FiveWhy) int {
	level := 0
	for _, s := range steps {
		if s.Answer != "" && s.WhyNumber > level {
			level = s.WhyNumber
		}
	}
	return level
}

// IncidentWhyLevel returns an incident's why level: the highest answered why of its 5-Whys, or
// the highest level a triage chat reply reached, whichever is higher, so that the level never
// goes backwards. replies are messages of the incident's chat history (others than complete
// assistant replies carry no level).
func IncidentWhyLevel(steps []*FiveWhy, replies []*ConversationMessage) int {
	level := WhyLevel(steps)
	for _, m := range replies {
		level = max(level, m.WhyLevel)
	}
	return level
}

// WhyLevel returns the incident's why level: IncidentWhyLevel of its 5-Whys and every message of
// its conversations, or ReplyWhyLevel when that is higher.
func (d *IssueDetail) WhyLevel() int {
	var replies []*ConversationMessage
	for _, c := range d.Conversations {
		replies = append(replies, c.Messages...)
	}
	return max(IncidentWhyLevel(d.ResolutionSteps, replies), d.ReplyWhyLevel)
}
