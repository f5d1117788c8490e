package db_test

import (
	"strings"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/domain"
)

func TestDocumentStore(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewDocumentStore(s.DB)
	rob, robCtx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewCtx := MustCreateUser(t, s, domain.RoleViewer)
	issue := MustCreateIssue(t, s, robCtx, domain.NewIssue{Title: "Checkout 502s"})

	s.Clock.Add(time.Minute)
	d1, err := store.SaveGenerated(robCtx, issue.ID, domain.DocumentPostmortem, "Post-mortem: Checkout 502s", "# v1")
	if err != nil {
		t.Fatal(err)
	}
	if d1.Version != 1 || d1.CurrentVersion != 1 || d1.ContentMD != "# v1" || d1.AuthorName != rob.Name() || d1.IssueID != issue.ID {
		t.Fatalf("generated = %+v", d1)
	}
	_, err = store.SaveGenerated(viewCtx, issue.ID, domain.DocumentPostmortem, "x", "x")
	wantCode(t, err, domain.EFORBIDDEN)

	t.Run("generating again adds a version of the same document", func(t *testing.T) {
		d2, err := store.SaveGenerated(robCtx, issue.ID, domain.DocumentPostmortem, "Post-mortem: Checkout 502s", "# v2")
		if err != nil {
			t.Fatal(err)
		}
		if d2.ID != d1.ID || d2.Version != 2 {
			t.Fatalf("regenerated = %+v", d2)
		}
		events, err := s.Issues.FindTimelineEvents(viewCtx, issue.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range events {
			if e.EventType == domain.EventPostmortemGenerated {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d postmortem_generated events, want 2", n)
		}
	})

	t.Run("save with a stale base version conflicts and changes nothing", func(t *testing.T) {
		d3, err := store.SaveVersion(robCtx, d1.ID, "# v3 edited", 2, 0)
		if err != nil {
			t.Fatal(err)
		}
		if d3.Version != 3 || d3.ContentMD != "# v3 edited" {
			t.Fatalf("saved = %+v", d3)
		}
		_, err = store.SaveVersion(robCtx, d1.ID, "# lost?", 2, 0)
		wantCode(t, err, domain.ECONFLICT)
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, "saved version 3") || !strings.Contains(msg, "your text is kept") {
			t.Errorf("conflict message = %q", msg)
		}
		cur, err := store.FindDocument(viewCtx, d1.ID, 0)
		if err != nil || cur.Version != 3 || cur.ContentMD != "# v3 edited" {
			t.Errorf("current after conflict = %+v, %v", cur, err)
		}
		_, err = store.SaveVersion(viewCtx, d1.ID, "x", 0, 0)
		wantCode(t, err, domain.EFORBIDDEN)
	})

	t.Run("old versions stay readable", func(t *testing.T) {
		old, err := store.FindDocument(viewCtx, d1.ID, 1)
		if err != nil || old.ContentMD != "# v1" || old.Version != 1 || old.CurrentVersion != 3 {
			t.Errorf("version 1 = %+v, %v", old, err)
		}
		_, err = store.FindDocument(viewCtx, d1.ID, 99)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = store.FindDocument(viewCtx, "nope", 0)
		wantCode(t, err, domain.ENOTFOUND)
		vs, err := store.FindVersions(viewCtx, d1.ID)
		if err != nil || len(vs) != 3 || vs[0].Version != 3 || vs[2].Version != 1 {
			t.Errorf("versions = %+v, %v", vs, err)
		}
		docs, err := store.FindDocuments(viewCtx, issue.ID)
		if err != nil || len(docs) != 1 || docs[0].Version != 3 {
			t.Errorf("documents = %+v, %v", docs, err)
		}
	})

	t.Run("export is on the timeline and audited", func(t *testing.T) {
		cur, _ := store.FindDocument(viewCtx, d1.ID, 0)
		if err := store.RecordExport(viewCtx, cur, domain.ExportPDF); err != nil {
			t.Fatal(err)
		}
		events, _ := s.Issues.FindTimelineEvents(viewCtx, issue.ID)
		last := events[len(events)-1]
		if last.EventType != domain.EventDocumentExported || !strings.Contains(last.Description, "as PDF") {
			t.Errorf("last event = %+v", last)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE entity_id = $1 AND action = 'document.export'`, d1.ID); n != 1 {
			t.Errorf("%d export audit entries", n)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE entity_id = $1 AND action IN ('document.generate', 'document.save')`, d1.ID); n != 3 {
			t.Errorf("%d generate/save audit entries, want 3", n)
		}
		v, err := s.Audit.VerifyAuditChain(systemCtx())
		if err != nil || !v.OK {
			t.Errorf("audit chain = %+v, %v", v, err)
		}
	})

	t.Run("deleting the incident deletes its documents", func(t *testing.T) {
		items := db.NewActionItemStore(s.DB)
		if _, err := items.CreateActionItem(robCtx, issue.ID, domain.NewActionItem{Action: "Add an alert"}); err != nil {
			t.Fatal(err)
		}
		_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
		if err := s.Issues.DeleteIssue(adminCtx, issue.ID); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`SELECT count(*) FROM documents`, `SELECT count(*) FROM document_versions`, `SELECT count(*) FROM action_items`} {
			if n := mustCount(t, s.DB, q); n != 0 {
				t.Errorf("%s = %d after delete", q, n)
			}
		}
	})
}

func TestActionItemStore(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewActionItemStore(s.DB)
	rob, robCtx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewCtx := MustCreateUser(t, s, domain.RoleViewer)
	issue := MustCreateIssue(t, s, robCtx, domain.NewIssue{Title: "Disk full"})

	a, err := store.CreateActionItem(robCtx, issue.ID, domain.NewActionItem{
		Action: "Add a disk alert", OwnerID: &rob.ID, DueDate: "2026-04-01", Priority: "P1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.OwnerName != rob.Name() || a.DueDate != "2026-04-01" || a.Status != domain.ActionOpen || a.Priority != "P1" {
		t.Errorf("created = %+v", a)
	}
	_, err = store.CreateActionItem(viewCtx, issue.ID, domain.NewActionItem{Action: "x"})
	wantCode(t, err, domain.EFORBIDDEN)
	_, err = store.CreateActionItem(robCtx, issue.ID, domain.NewActionItem{Action: "x", OwnerID: ptr("0190a000-0000-7000-8000-000000000000")})
	wantCode(t, err, domain.EINVALID)
	_, err = store.CreateActionItem(robCtx, issue.ID, domain.NewActionItem{Action: "x", DueDate: "tomorrow"})
	wantCode(t, err, domain.EINVALID)

	done, empty := domain.ActionDone, ""
	u, err := store.UpdateActionItem(robCtx, a.ID, domain.ActionItemUpdate{Status: &done, OwnerID: &empty, DueDate: &empty})
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != domain.ActionDone || u.OwnerID != nil || u.DueDate != "" {
		t.Errorf("updated = %+v", u)
	}
	items, err := store.FindActionItems(viewCtx, issue.ID)
	if err != nil || len(items) != 1 {
		t.Fatalf("items = %v, %v", items, err)
	}
	if _, err := store.DeleteActionItem(robCtx, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = store.FindActionItem(viewCtx, a.ID)
	wantCode(t, err, domain.ENOTFOUND)
	if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE entity_id = $1`, a.ID); n != 3 {
		t.Errorf("%d audit entries for the item, want 3", n)
	}
}
