package domain

import (
	"context"
	"fmt"
	"strings"

	"tftsr/domain/triage"
)

// ChatMessageFinder finds stored chat messages; ChatStore is one.
type ChatMessageFinder interface {
	// FindChatMessage returns a message with its conversation's config and model.
	FindChatMessage(ctx context.Context, id string) (*ConversationMessage, error)
}

// WhyProposalService accepts the why answers that assistant replies propose into an incident's
// 5-Whys, through the incident service, so that an accepted answer raises the why level, records
// its timeline events and is audited exactly as a typed one.
type WhyProposalService struct {
	messages ChatMessageFinder
	issues   IssueService
}

// WhyProposals returns the proposals of a stored reply: only a complete assistant reply has any.
func WhyProposals(m *ConversationMessage) []triage.WhyProposal {
	if m == nil || m.Role != RoleAssistant || m.Status != MessageComplete {
		return nil
	}
	return triage.ParseWhyProposals(m.Content)
}

// ProposalAccepted reports whether an incident's 5-Whys hold p: the entry for p's why has p's
// answer and evidence, as accepting p writes them.
func ProposalAccepted(p triage.WhyProposal, steps []*FiveWhy) bool {
	for _, s := range steps {
		if s.WhyNumber == p.Number && s.Answer == p.Answer && s.Evidence == p.Evidence {
			return true
		}
	}
	return false
}

// Proposal returns proposal n (from 1) of the reply messageID, re-read from the stored text, and
// the reply.
func (s *WhyProposalService) Proposal(ctx context.Context, messageID string, n int) (*ConversationMessage, triage.WhyProposal, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, triage.WhyProposal{}, err
	}
	m, err := s.messages.FindChatMessage(ctx, messageID)
	if err != nil {
		return nil, triage.WhyProposal{}, err
	}
	if m.Role != RoleAssistant {
		return nil, triage.WhyProposal{}, Errorf(ENOTFOUND, "Reply not found.")
	}
	if m.Status != MessageComplete {
		return nil, triage.WhyProposal{}, Errorf(ECONFLICT, "Only a complete reply's proposals can be accepted; this reply is %s.", m.Status)
	}
	ps := triage.ParseWhyProposals(m.Content)
	if n < 1 || n > len(ps) {
		return nil, triage.WhyProposal{}, Errorf(ENOTFOUND, "This reply has no proposal %d.", n)
	}
	return m, ps[n-1], nil
}

// AcceptWhyProposal puts proposal n (from 1) of a complete assistant reply into its incident's
// 5-Whys, with the proposal's evidence text. When the incident has no entry for the proposal's
// why it adds one, whose question is the proposal's or is drawn from the answer before; when it
// has one it sets that entry's answer and evidence. The steps stay in order: a why whose
// previous why has no entry is refused (ECONFLICT). Accepting a proposal that the entry already
// holds is refused too (ECONFLICT), so a second click changes nothing. created says whether an
// entry was added.
func (s *WhyProposalService) AcceptWhyProposal(ctx context.Context, messageID string, n int) (w *FiveWhy, created bool, err error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, false, err
	}
	m, p, err := s.Proposal(ctx, messageID, n)
	if err != nil {
		return nil, false, err
	}
	steps, err := s.issues.FindFiveWhys(ctx, m.IssueID)
	if err != nil {
		return nil, false, err
	}
	if ProposalAccepted(p, steps) {
		return nil, false, Errorf(ECONFLICT, "Why %d already has this answer.", p.Number)
	}
	byNumber := map[int]*FiveWhy{}
	for _, st := range steps {
		byNumber[st.WhyNumber] = st
	}
	if cur := byNumber[p.Number]; cur != nil {
		answer, evidence := p.Answer, p.Evidence
		w, err := s.issues.UpdateFiveWhy(ctx, cur.ID, FiveWhyUpdate{Answer: &answer, Evidence: &evidence})
		return w, false, err
	}
	for k := 1; k < p.Number; k++ {
		if byNumber[k] == nil {
			return nil, false, Errorf(ECONFLICT, "Why %d has no entry yet: add the whys in order before accepting an answer to why %d.", k, p.Number)
		}
	}
	q := p.Question
	if q == "" {
		q = ProposalQuestion(p.Number, byNumber[p.Number-1])
	}
	w, err = s.issues.AddFiveWhy(ctx, m.IssueID, NewFiveWhy{WhyNumber: p.Number, Question: q, Answer: p.Answer, Evidence: p.Evidence})
	return w, err == nil, err
}

// maxDrawnQuestionRunes bounds the previous answer quoted in a drawn question.
const maxDrawnQuestionRunes = 300

// ProposalQuestion is the question of a why added from a proposal that states none: why 1 asks
// why the incident happened, a later why asks why the previous answer came about.
func ProposalQuestion(n int, prev *FiveWhy) string {
	if n <= 1 || prev == nil {
		return "Why did the incident happen?"
	}
	a := strings.TrimRight(oneLine(prev.Answer), ".!?;: ")
	if a == "" {
		return fmt.Sprintf("Why did the answer to why %d come about?", n-1)
	}
	if r := []rune(a); len(r) > maxDrawnQuestionRunes {
		a = string(r[:maxDrawnQuestionRunes]) + "…"
	}
	return "Why did this happen: " + a + "?"
}
