package db_test

import (
	"fmt"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/domain"
)

// TestPagedFinders checks that the four paged finders page alike: the same page and size
// normalised the same way (a page under 1 is the first, a size of 0 is the default), the same
// rows skipped, and the total of all matches on every page, past the end too.
func TestPagedFinders(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	logs, images := db.NewLogStore(s.DB), db.NewImageStore(s.DB)
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	for i := range 3 {
		s.Clock.Add(time.Minute)
		issue := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: fmt.Sprintf("Incident %d", i)})
		mustCreateLog(t, logs, ctx, newLog(logs, issue.ID, fmt.Sprintf("app%d.log", i)))
		mustCreateImage(t, images, ctx, issue.ID, fmt.Sprintf("shot%d.png", i))
	}

	// Each finder of the three rows of its kind, newest first, as the number of rows and the total.
	finders := map[string]func(page, perPage int) (int, int, error){
		"FindIssues": func(page, perPage int) (int, int, error) {
			items, total, err := s.Issues.FindIssues(ctx, domain.IssueFilter{Page: page, PerPage: perPage})
			return len(items), total, err
		},
		"FindLogs": func(page, perPage int) (int, int, error) {
			items, total, err := logs.FindLogs(ctx, domain.LogFilter{Page: page, PerPage: perPage})
			return len(items), total, err
		},
		"FindAllImages": func(page, perPage int) (int, int, error) {
			items, total, err := images.FindAllImages(ctx, domain.ImageFilter{Page: page, PerPage: perPage})
			return len(items), total, err
		},
		"FindAuditEntries": func(page, perPage int) (int, int, error) {
			items, total, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Action: "issue.create", Page: page, PerPage: perPage})
			return len(items), total, err
		},
	}
	for name, find := range finders {
		t.Run(name, func(t *testing.T) {
			for _, c := range []struct {
				page, perPage, rows int
			}{
				{0, 0, 3},    // the first page of the default size
				{-7, 2, 2},   // a page under 1 is the first
				{1, 2, 2},    //
				{2, 2, 1},    // the rest
				{3, 2, 0},    // past the end: still the total
				{99, 0, 0},   // past the end of the default size
				{1, 1000, 3}, // a size over the maximum is the maximum
			} {
				rows, total, err := find(c.page, c.perPage)
				if err != nil {
					t.Fatalf("page %d of %d: %v", c.page, c.perPage, err)
				}
				if rows != c.rows || total != 3 {
					t.Errorf("page %d of %d: %d rows of %d, want %d of 3", c.page, c.perPage, rows, total, c.rows)
				}
			}
		})
	}
}
