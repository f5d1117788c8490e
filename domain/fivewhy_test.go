package domain_test

import (
	"testing"

	"tftsr/domain"
)

func TestWhyLevels(t *testing.T) {
	answered := func(n int) *domain.FiveWhy {
		return &domain.FiveWhy{WhyNumber: n, Question: "Why?", Answer: "Because."}
	}
	open := func(n int) *domain.FiveWhy { return &domain.FiveWhy{WhyNumber: n, Question: "Why?"} }
	reply := func(level int) *domain.ConversationMessage {
		return &domain.ConversationMessage{Role: domain.RoleAssistant, Status: domain.MessageComplete, WhyLevel: level}
	}
	user := &domain.ConversationMessage{Role: domain.RoleUser}

	tests := []struct {
		name    string
		steps   []*domain.FiveWhy
		replies []*domain.ConversationMessage
		// wantSteps is WhyLevel(steps); want is IncidentWhyLevel(steps, replies).
		wantSteps, want int
	}{
		{"nothing", nil, nil, 0, 0},
		{"unanswered whys", []*domain.FiveWhy{open(1), open(2)}, nil, 0, 0},
		{"the highest answered why", []*domain.FiveWhy{answered(1), answered(2), open(3)}, nil, 2, 2},
		{"a gap counts the highest", []*domain.FiveWhy{answered(1), open(2), answered(4)}, nil, 4, 4},
		{"steps out of order", []*domain.FiveWhy{answered(3), answered(1)}, nil, 3, 3},
		{"a reply reached further", []*domain.FiveWhy{answered(1)}, []*domain.ConversationMessage{user, reply(3)}, 1, 3},
		{"a later, lower reply does not lower it", nil, []*domain.ConversationMessage{reply(4), user, reply(2)}, 0, 4},
		{"answered whys above the replies", []*domain.FiveWhy{answered(1), answered(5)}, []*domain.ConversationMessage{reply(2)}, 5, 5},
		{"replies without a level", []*domain.FiveWhy{answered(2)}, []*domain.ConversationMessage{user, reply(0)}, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.WhyLevel(tt.steps); got != tt.wantSteps {
				t.Errorf("WhyLevel = %d, want %d", got, tt.wantSteps)
			}
			if got := domain.IncidentWhyLevel(tt.steps, tt.replies); got != tt.want {
				t.Errorf("IncidentWhyLevel = %d, want %d", got, tt.want)
			}
			// The incident page counts every conversation's messages, however they are split.
			d := &domain.IssueDetail{ResolutionSteps: tt.steps}
			for _, m := range tt.replies {
				d.Conversations = append(d.Conversations, &domain.Conversation{Messages: []*domain.ConversationMessage{m}})
			}
			if len(tt.replies) > 0 {
				d.Conversations = append(d.Conversations, &domain.Conversation{})
			}
			if got := d.WhyLevel(); got != tt.want {
				t.Errorf("IssueDetail.WhyLevel = %d, want %d", got, tt.want)
			}
			// Loaded without the conversations, the replies' highest level says the same.
			partial := &domain.IssueDetail{ResolutionSteps: tt.steps}
			for _, m := range tt.replies {
				partial.ReplyWhyLevel = max(partial.ReplyWhyLevel, m.WhyLevel)
			}
			if got := partial.WhyLevel(); got != tt.want {
				t.Errorf("IssueDetail.WhyLevel with ReplyWhyLevel = %d, want %d", got, tt.want)
			}
		})
	}
}
