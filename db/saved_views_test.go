package db_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/domain"
)

// TestIssueService_FindIssuesTextAndSort: the list's text filter finds words of the title and
// the description and the INC ref, and each sort key orders the list, both ways.
func TestIssueService_FindIssuesTextAndSort(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	var ids []string
	var refs []string
	for _, spec := range []struct {
		title, desc string
		sev         domain.Severity
		st          domain.Status
	}{
		{"Zebra printer offline", "The warehouse label printer", domain.SeverityLow, domain.StatusOpen},
		{"alpha DNS resolver timeouts", "Resolver at the branch office", domain.SeverityCritical, domain.StatusClosed},
		{"Mail queue stuck", "postfix deferred queue grows; printer unrelated", domain.SeverityHigh, domain.StatusInvestigating},
	} {
		s.Clock.Add(time.Minute)
		i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: spec.title, Description: spec.desc, Severity: spec.sev, Category: "general"})
		if spec.st != domain.StatusOpen {
			if _, err := s.Issues.UpdateIssue(ctx, i.ID, domain.IssueUpdate{Status: &spec.st}); err != nil {
				t.Fatal(err)
			}
		}
		ids, refs = append(ids, i.ID), append(refs, i.Ref)
	}
	for name, tc := range map[string]struct {
		f    domain.IssueFilter
		want []string
	}{
		"TitleWord":       {domain.IssueFilter{Query: "resolver", Sort: "created_at"}, ids[1:2]},
		"TitleOrDesc":     {domain.IssueFilter{Query: "printer", Sort: "created_at"}, []string{ids[0], ids[2]}},
		"Ref":             {domain.IssueFilter{Query: strings.ToLower(refs[2])}, ids[2:]},
		"NoMatch":         {domain.IssueFilter{Query: "kubernetes"}, nil},
		"StopWordsOnly":   {domain.IssueFilter{Query: "the of"}, nil},
		"TextAndSeverity": {domain.IssueFilter{Query: "printer", Severity: []domain.Severity{"high"}}, ids[2:]},
		"TitleAsc":        {domain.IssueFilter{Sort: "title"}, []string{ids[1], ids[2], ids[0]}},
		"TitleDesc":       {domain.IssueFilter{Sort: "title", Desc: true}, []string{ids[0], ids[2], ids[1]}},
		"SeverityDesc":    {domain.IssueFilter{Sort: "severity", Desc: true}, []string{ids[1], ids[2], ids[0]}},
		"SeverityAsc":     {domain.IssueFilter{Sort: "severity"}, []string{ids[0], ids[2], ids[1]}},
		"StatusAsc":       {domain.IssueFilter{Sort: "status"}, []string{ids[0], ids[2], ids[1]}},
		"RefDesc":         {domain.IssueFilter{Sort: "ref", Desc: true}, []string{ids[2], ids[1], ids[0]}},
	} {
		items, total, err := s.Issues.FindIssues(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.ID)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") || total != len(tc.want) {
			t.Errorf("%s: got %v (%d), want %v", name, got, total, tc.want)
		}
	}
}

// TestSavedViewStore: views are per user; names are unique per user in any case; another
// user's view is neither listed nor deletable.
func TestSavedViewStore(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewSavedViewStore(s.DB)
	_, alice := MustCreateUser(t, s, domain.RoleViewer)
	_, bob := MustCreateUser(t, s, domain.RoleResponder)

	v, err := store.CreateSavedView(alice, "My open criticals", "severity=critical&status=open")
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "My open criticals" || v.Query != "severity=critical&status=open" || v.UserID != domain.UserIDFromContext(alice) {
		t.Fatalf("view %+v", v)
	}
	if _, err := store.CreateSavedView(alice, "MY OPEN CRITICALS", "status=open"); domain.ErrorCode(err) != domain.EINVALID ||
		!strings.Contains(domain.ErrorMessage(err), "already have a view named") || domain.ErrorFields(err)["name"] == "" {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, err := store.CreateSavedView(bob, "My open criticals", "status=open"); err != nil {
		t.Fatalf("another user's same name: %v", err)
	}
	mine, err := store.FindSavedViews(alice)
	if err != nil || len(mine) != 1 || mine[0].ID != v.ID {
		t.Fatalf("alice's views %v, %v", mine, err)
	}
	if err := store.DeleteSavedView(bob, v.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("bob deletes alice's view: %v", err)
	}
	if err := store.DeleteSavedView(alice, "not-an-id"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("bad id: %v", err)
	}
	if err := store.DeleteSavedView(alice, v.ID); err != nil {
		t.Fatal(err)
	}
	if mine, _ := store.FindSavedViews(alice); len(mine) != 0 {
		t.Fatalf("after delete: %v", mine)
	}
	for n := range domain.MaxSavedViewsPerUser {
		if _, err := store.CreateSavedView(alice, fmt.Sprint("view ", n), ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.CreateSavedView(alice, "one too many", ""); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("past the limit: %v", err)
	}
}
