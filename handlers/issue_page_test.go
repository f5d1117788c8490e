package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"tftsr/domain"
)

// mustParseHTML parses a response's body.
func mustParseHTML(tb testing.TB, resp testResponse) *goquery.Document {
	tb.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(resp.Body))
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// TestIssuePage_WhyLevelAndProposals checks that the incident page shows the why level and the
// accepted proposals that domain computes from the incident's 5-Whys and chat.
func TestIssuePage_WhyLevelAndProposals(t *testing.T) {
	at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	reply := func(id string, seq int64, level int, content string) *domain.ConversationMessage {
		return &domain.ConversationMessage{ID: id, IssueID: "i-1", Seq: seq, Role: domain.RoleAssistant,
			Status: domain.MessageComplete, Content: content, WhyLevel: level, CreatedAt: at}
	}
	detail := func(steps []*domain.FiveWhy, msgs ...*domain.ConversationMessage) *domain.IssueDetail {
		return &domain.IssueDetail{
			Issue: &domain.Issue{ID: "i-1", Title: "Checkout times out", Severity: domain.SeverityHigh,
				Category: "application", Status: domain.StatusTriaging, CreatedAt: at, UpdatedAt: at},
			ResolutionSteps: steps,
			Conversations:   []*domain.Conversation{{ID: "c-1", IssueID: "i-1", Messages: msgs}},
		}
	}
	why1 := &domain.FiveWhy{ID: "w-1", IssueID: "i-1", WhyNumber: 1, Question: "Why did checkout time out?",
		Answer: "The pool ran out.", Evidence: "app.log:12", CreatedAt: at, UpdatedAt: at}
	proposals := "Proposed Why 1: The pool ran out. (evidence: app.log:12)\n" +
		"Proposed Why 2: Connections leaked. (evidence: app.log:40)\n"

	tests := []struct {
		name      string
		detail    *domain.IssueDetail
		wantLevel string
		// wantAccepted maps each proposal's why to whether it shows as accepted.
		wantAccepted map[string]bool
	}{
		{
			name:      "no whys, no chat",
			detail:    detail(nil),
			wantLevel: "0",
		},
		{
			name:         "a reply reached further than the answered whys",
			detail:       detail([]*domain.FiveWhy{why1}, reply("m-1", 2, 3, proposals)),
			wantLevel:    "3",
			wantAccepted: map[string]bool{"1": true, "2": false},
		},
		{
			name:         "a later, lower reply does not lower the level",
			detail:       detail([]*domain.FiveWhy{why1}, reply("m-1", 2, 4, "Why 4 reached."), reply("m-2", 4, 2, proposals)),
			wantLevel:    "4",
			wantAccepted: map[string]bool{"1": true, "2": false},
		},
		{
			name: "an entry with other evidence does not hold the proposal",
			detail: detail([]*domain.FiveWhy{{ID: "w-1", IssueID: "i-1", WhyNumber: 1, Question: "Why?",
				Answer: "The pool ran out.", Evidence: "db.log:1", CreatedAt: at, UpdatedAt: at}}, reply("m-1", 2, 0, proposals)),
			wantLevel:    "1",
			wantAccepted: map[string]bool{"1": false, "2": false},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := mustOpenServer(t, testResponder)
			ts.Users.FindUsersFn = allUsers
			ts.Issues.FindIssuePartsFn = func(_ context.Context, id string, parts domain.IssueParts) (*domain.IssueDetail, error) {
				if parts&domain.IssueTabCounts == 0 {
					t.Errorf("the tab loads parts %b without the tab bar's counts", parts)
				}
				d := *tc.detail
				d.Counts = &domain.IssueCounts{Whys: len(d.ResolutionSteps)}
				return &d, nil
			}
			c := ts.mustLogin(t, testResponder)
			// The why level is on the 5-Whys tab, the proposals on the Chat tab.
			resp := c.get("/issues/i-1/five-whys")
			wantStatus(t, resp, http.StatusOK)
			doc := mustParseHTML(t, resp)

			if got := strings.TrimSpace(doc.Find(`[data-testid="why-level"]`).Text()); got != "Why level "+tc.wantLevel+" of 5" {
				t.Errorf("why level = %q, want level %s", got, tc.wantLevel)
			}
			if got, _ := doc.Find(`progress#why-level-bar`).Attr("value"); got != tc.wantLevel {
				t.Errorf("progress value = %q, want %s", got, tc.wantLevel)
			}
			resp = c.get("/issues/i-1/chat")
			wantStatus(t, resp, http.StatusOK)
			doc = mustParseHTML(t, resp)
			rows := doc.Find(`[data-testid="why-proposal"]`)
			if rows.Length() != len(tc.wantAccepted) {
				t.Fatalf("%d proposals shown, want %d", rows.Length(), len(tc.wantAccepted))
			}
			rows.Each(func(_ int, row *goquery.Selection) {
				why, _ := row.Attr("data-why")
				accepted := row.Find(`[data-testid="proposal-accepted"]`).Length() == 1
				button := row.Find(`[data-testid="proposal-accept"]`).Length() == 1
				if accepted != tc.wantAccepted[why] || button == accepted {
					t.Errorf("proposal for why %s: accepted=%v button=%v, want accepted=%v", why, accepted, button, tc.wantAccepted[why])
				}
				if accepted != row.HasClass("accepted") {
					t.Errorf("proposal for why %s: class %q", why, row.AttrOr("class", ""))
				}
			})
		})
	}
}
