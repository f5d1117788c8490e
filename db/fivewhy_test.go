package db_test

import (
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

func TestIssueService_FiveWhys(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	responder, ctx := MustCreateUser(t, s, domain.RoleResponder)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Checkout errors"})

	// eventsOf returns "type: description" of the incident's events after creation.
	eventsOf := func(t *testing.T) []string {
		t.Helper()
		events, err := s.Issues.FindTimelineEvents(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range events[1:] {
			out = append(out, e.EventType+": "+e.Description)
		}
		return out
	}

	var step2 *domain.FiveWhy
	t.Run("Add", func(t *testing.T) {
		s.Clock.Add(time.Minute)
		w, err := s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: 1, Question: " Why did checkout fail? ", Answer: "The API timed out."})
		if err != nil {
			t.Fatal(err)
		}
		if w.IssueID != i.ID || w.WhyNumber != 1 || w.Question != "Why did checkout fail?" || *w.CreatedBy != responder.ID {
			t.Fatalf("step = %+v", w)
		}
		if got, _ := s.Issues.FindIssueByID(ctx, i.ID); !got.UpdatedAt.Equal(s.Clock.Now()) {
			t.Fatalf("updated_at = %v, want bumped to %v", got.UpdatedAt, s.Clock.Now())
		}
		// An unanswered step does not raise the level.
		if step2, err = s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: 2, Question: "Why did the API time out?"}); err != nil {
			t.Fatal(err)
		}
		want := []string{"why_level_advanced: Why level advanced to 1"}
		if got := eventsOf(t); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("events = %q, want %q", got, want)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		_, err := s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: 1, Question: "Again?"})
		wantCode(t, err, domain.ECONFLICT)
		if msg := domain.ErrorMessage(err); msg != "Why 1 already exists." {
			t.Fatalf("message = %q", msg)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: 6, Question: ""})
		wantCode(t, err, domain.EINVALID)
		_, err = s.Issues.AddFiveWhy(ctx, "0190c2a5-0000-7000-8000-000000000000", domain.NewFiveWhy{WhyNumber: 3, Question: "Why?"})
		wantCode(t, err, domain.ENOTFOUND)
		_, err = s.Issues.UpdateFiveWhy(ctx, "nope", domain.FiveWhyUpdate{Answer: ptr("x")})
		wantCode(t, err, domain.ENOTFOUND)
		_, err = s.Issues.UpdateFiveWhy(ctx, step2.ID, domain.FiveWhyUpdate{})
		wantCode(t, err, domain.EINVALID)
	})
	t.Run("UpdateRaisesLevel", func(t *testing.T) {
		w, err := s.Issues.UpdateFiveWhy(ctx, step2.ID, domain.FiveWhyUpdate{Answer: ptr("The pool was exhausted."), Evidence: ptr("log line 42")})
		if err != nil {
			t.Fatal(err)
		} else if w.Answer != "The pool was exhausted." || w.Evidence != "log line 42" {
			t.Fatalf("step = %+v", w)
		}
		got := eventsOf(t)
		if last := got[len(got)-1]; last != "why_level_advanced: Why level advanced to 2" {
			t.Fatalf("events = %q", got)
		}
		// The same answer again changes nothing.
		before := mustCount(t, s.DB, `SELECT count(*) FROM audit_log`)
		if _, err := s.Issues.UpdateFiveWhy(ctx, step2.ID, domain.FiveWhyUpdate{Answer: ptr("The pool was exhausted. ")}); err != nil {
			t.Fatal(err)
		}
		if after := mustCount(t, s.DB, `SELECT count(*) FROM audit_log`); after != before {
			t.Fatal("a no-op 5-why update was audited")
		}
	})
	t.Run("RootCauseOnce", func(t *testing.T) {
		long := strings.Repeat("x", 800)
		w5, err := s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: 5, Question: "Root?", Answer: "No pool size limit review. " + long})
		if err != nil {
			t.Fatal(err)
		}
		got := eventsOf(t)
		if n := len(got); n < 2 || got[n-2] != "why_level_advanced: Why level advanced to 5" ||
			!strings.HasPrefix(got[n-1], "root_cause_identified: Root cause identified: No pool size limit review.") {
			t.Fatalf("events = %q", got)
		}
		if n := len([]rune(got[len(got)-1])); n > 600 {
			t.Fatalf("root cause event is %d characters long", n)
		}
		count := func() int {
			return mustCount(t, s.DB, `SELECT count(*) FROM timeline_events WHERE issue_id = $1 AND event_type = 'root_cause_identified'`, i.ID)
		}
		// Evidence alone, or the same answer, does not repeat it.
		if _, err := s.Issues.UpdateFiveWhy(ctx, w5.ID, domain.FiveWhyUpdate{Evidence: ptr("postmortem notes")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Issues.UpdateFiveWhy(ctx, w5.ID, domain.FiveWhyUpdate{Answer: &w5.Answer}); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 1 {
			t.Fatalf("%d root cause events, want 1", n)
		}
		// A different root cause is recorded; the level stays 5, so no level event.
		levels := mustCount(t, s.DB, `SELECT count(*) FROM timeline_events WHERE issue_id = $1 AND event_type = 'why_level_advanced'`, i.ID)
		if _, err := s.Issues.UpdateFiveWhy(ctx, w5.ID, domain.FiveWhyUpdate{Answer: ptr("Capacity planning skipped the pool.")}); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 2 {
			t.Fatalf("%d root cause events, want 2", n)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM timeline_events WHERE issue_id = $1 AND event_type = 'why_level_advanced'`, i.ID); n != levels {
			t.Fatalf("level events %d → %d without a level change", levels, n)
		}
	})
	t.Run("Find", func(t *testing.T) {
		steps, err := s.Issues.FindFiveWhys(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		var nums []int
		for _, w := range steps {
			nums = append(nums, w.WhyNumber)
		}
		if len(nums) != 3 || nums[0] != 1 || nums[1] != 2 || nums[2] != 5 || domain.WhyLevel(steps) != 5 {
			t.Fatalf("steps = %v", nums)
		}
		_, err = s.Issues.FindFiveWhys(ctx, "0190c2a5-0000-7000-8000-000000000000")
		wantCode(t, err, domain.ENOTFOUND)
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action LIKE 'five_why.%' AND actor_id = $1`, responder.ID); n != 6 {
			t.Fatalf("%d five_why audit entries, want 6", n)
		}
	})
}

func TestIssueService_Timeline(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	responder, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Timeline"})

	t.Run("Add", func(t *testing.T) {
		s.Clock.Add(time.Minute)
		e, err := s.Issues.AddTimelineEvent(ctx, i.ID, domain.NewTimelineEvent{
			EventType: domain.EventNote, Description: " Rolled back the deploy ", Metadata: []byte(`{"ticket": "CHG-1"}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		if e.Description != "Rolled back the deploy" || *e.ActorID != responder.ID {
			t.Fatalf("event = %+v", e)
		}
		// Events in one transaction keep their insertion order.
		if _, err := s.Issues.AddTimelineEvent(ctx, i.ID, domain.NewTimelineEvent{EventType: domain.EventNote, Description: "second"}); err != nil {
			t.Fatal(err)
		}
		events, err := s.Issues.FindTimelineEvents(viewerCtx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 3 || events[1].Description != "Rolled back the deploy" || events[2].Description != "second" ||
			string(events[1].Metadata) != `{"ticket": "CHG-1"}` || string(events[2].Metadata) != `{}` {
			t.Fatalf("events = %+v", events)
		}
		if got, _ := s.Issues.FindIssueByID(ctx, i.ID); !got.UpdatedAt.Equal(s.Clock.Now()) {
			t.Fatalf("updated_at not bumped")
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'timeline.add' AND actor_id = $1`, responder.ID); n != 2 {
			t.Fatalf("%d timeline.add entries", n)
		}
	})
	t.Run("Err", func(t *testing.T) {
		_, err := s.Issues.AddTimelineEvent(ctx, i.ID, domain.NewTimelineEvent{EventType: "party", Description: "x"})
		wantCode(t, err, domain.EINVALID)
		_, err = s.Issues.AddTimelineEvent(ctx, i.ID, domain.NewTimelineEvent{EventType: domain.EventNote, Description: "x", Metadata: []byte(`[1]`)})
		wantCode(t, err, domain.EINVALID)
		_, err = s.Issues.AddTimelineEvent(viewerCtx, i.ID, domain.NewTimelineEvent{EventType: domain.EventNote, Description: "x"})
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = s.Issues.AddTimelineEvent(ctx, "nope", domain.NewTimelineEvent{EventType: domain.EventNote, Description: "x"})
		wantCode(t, err, domain.ENOTFOUND)
		_, err = s.Issues.FindTimelineEvents(ctx, "nope")
		wantCode(t, err, domain.ENOTFOUND)
	})
}
