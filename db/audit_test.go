package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"tftsr/domain"
)

func TestAuditService_Chain(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	admin, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	responder, ctx := MustCreateUser(t, s, domain.RoleResponder)

	// A change of every kind, by real actors.
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Audited"})
	if _, err := s.Issues.UpdateIssue(ctx, i.ID, domain.IssueUpdate{Status: ptr(domain.StatusTriaging)}); err != nil {
		t.Fatal(err)
	}
	w, err := s.Issues.AddFiveWhy(ctx, i.ID, domain.NewFiveWhy{WhyNumber: 1, Question: "Why?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Issues.UpdateFiveWhy(ctx, w.ID, domain.FiveWhyUpdate{Answer: ptr("Because.")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Issues.AddTimelineEvent(ctx, i.ID, domain.NewTimelineEvent{EventType: domain.EventNote, Description: "n"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Settings.UpdateSettings(adminCtx, domain.SettingsUpdate{TeamName: ptr("Ops")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Users.CreateToken(ctx, responder.ID, domain.NewToken{Name: "cli", Scope: domain.TokenWrite}); err != nil {
		t.Fatal(err)
	}
	if err := s.Issues.DeleteIssue(ctx, i.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("Entries", func(t *testing.T) {
		entries, total, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		want := "issue.delete token.create settings.update timeline.add five_why.update five_why.add issue.update issue.create user.create user.create"
		if strings.Join(actions, " ") != want || total != 10 {
			t.Fatalf("actions = %s (%d), want %s", strings.Join(actions, " "), total, want)
		}
		for _, e := range entries[:8] {
			wantActor := responder
			if e.Action == "settings.update" {
				wantActor = admin
			}
			if e.ActorID == nil || *e.ActorID != wantActor.ID || e.ActorName != wantActor.DisplayName {
				t.Errorf("%s: actor %v %q, want %s", e.Action, e.ActorID, e.ActorName, wantActor.Username)
			}
		}
		// The users were made by a system context: no actor, and its "via".
		if e := entries[9]; e.ActorID != nil || !strings.Contains(string(e.Details), `"via":"test"`) {
			t.Errorf("system entry = %+v", e)
		}
		if e := entries[0]; e.PrevHash != entries[1].EntryHash || len(e.EntryHash) != 64 || entries[9].PrevHash != "" {
			t.Errorf("chain links: %+v", e)
		}
	})
	t.Run("Filters", func(t *testing.T) {
		check := func(f domain.AuditFilter, want int) {
			t.Helper()
			entries, total, err := s.Audit.FindAuditEntries(adminCtx, f)
			if err != nil {
				t.Fatal(err)
			} else if total != want {
				t.Errorf("%+v: total %d, want %d", f, total, want)
			}
			page, perPage := domain.NormalisePage(f.Page, f.PerPage)
			if wantLen := min(max(total-(page-1)*perPage, 0), perPage); len(entries) != wantLen {
				t.Errorf("%+v: %d entries, want %d", f, len(entries), wantLen)
			}
		}
		at := s.Clock.Now()
		check(domain.AuditFilter{EntityType: "issue"}, 3)
		check(domain.AuditFilter{ActorID: responder.ID}, 7)
		check(domain.AuditFilter{ActorID: "bogus"}, 0)
		check(domain.AuditFilter{Action: "issue.update", ActorID: responder.ID}, 1)
		check(domain.AuditFilter{From: &at}, 10)
		check(domain.AuditFilter{To: &at}, 0)
		check(domain.AuditFilter{PerPage: 3, Page: 2}, 10)
		check(domain.AuditFilter{PerPage: 3, Page: 40}, 10)

		actions, types, err := s.Audit.AuditFacets(adminCtx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(types, ",") != "five_why,issue,settings,timeline_event,token,user" || len(actions) != 9 {
			t.Fatalf("facets = %v, %v", actions, types)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, _, err := s.Audit.FindAuditEntries(ctx, domain.AuditFilter{})
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = s.Audit.VerifyAuditChain(ctx)
		wantCode(t, err, domain.EFORBIDDEN)
		_, _, err = s.Audit.AuditFacets(context.Background())
		wantCode(t, err, domain.EUNAUTHORIZED)
	})
	t.Run("Verify", func(t *testing.T) {
		for _, c := range []context.Context{adminCtx, systemCtx()} {
			v, err := s.Audit.VerifyAuditChain(c)
			if err != nil {
				t.Fatal(err)
			} else if !v.OK || v.Entries != 10 || v.BrokenSeq != 0 {
				t.Fatalf("verification = %+v", v)
			}
		}
	})
	t.Run("AppendOnly", func(t *testing.T) {
		bg := context.Background()
		for _, q := range []string{
			`UPDATE audit_log SET action = 'x' WHERE seq = 1`,
			`DELETE FROM audit_log WHERE seq = 1`,
			`TRUNCATE audit_log`,
		} {
			if _, err := s.DB.Pool.Exec(bg, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused", q, err)
			}
		}
	})
	t.Run("Tamper", func(t *testing.T) {
		bg := context.Background()
		var seq int64
		if err := s.DB.Pool.QueryRow(bg, `SELECT seq FROM audit_log WHERE action = 'issue.update'`).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		tamper := func(q string, args ...any) {
			t.Helper()
			tx, err := s.DB.Pool.Begin(bg)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(bg)
			for _, stmt := range []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`, q, `ALTER TABLE audit_log ENABLE TRIGGER USER`} {
				var a []any
				if stmt == q {
					a = args
				}
				if _, err := tx.Exec(bg, stmt, a...); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			if err := tx.Commit(bg); err != nil {
				t.Fatal(err)
			}
		}

		tamper(`UPDATE audit_log SET details = '{"changes":{"status":{"from":"open","to":"closed"}}}' WHERE seq = $1`, seq)
		v, err := s.Audit.VerifyAuditChain(adminCtx)
		if err != nil {
			t.Fatal(err)
		}
		if v.OK || v.BrokenSeq != seq || v.Entries != 10 || !strings.Contains(v.Reason, "altered") {
			t.Fatalf("verification = %+v, want broken at %d", v, seq)
		}

		// Deleting the row instead breaks the link of the next one.
		tamper(`DELETE FROM audit_log WHERE seq = $1`, seq)
		v, err = s.Audit.VerifyAuditChain(adminCtx)
		if err != nil {
			t.Fatal(err)
		}
		if v.OK || v.BrokenSeq <= seq || v.Entries != 9 || !strings.Contains(v.Reason, "does not link") {
			t.Fatalf("verification = %+v, want broken after %d", v, seq)
		}
	})
}

func TestAuditService_Concurrent(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	i := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Busy"})

	// Many writers at once still make one unbroken chain.
	errs := make(chan error, 20)
	for n := range 20 {
		go func() {
			_, err := s.Issues.AddTimelineEvent(ctx, i.ID, domain.NewTimelineEvent{
				EventType: domain.EventNote, Description: "note", Metadata: json.RawMessage(`{"n":` + string(rune('0'+n%10)) + `}`),
			})
			if err == nil && n%2 == 0 {
				_, err = s.Issues.CreateIssue(ctx, domain.NewIssue{Title: "Parallel"})
			}
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	v, err := s.Audit.VerifyAuditChain(systemCtx())
	if err != nil {
		t.Fatal(err)
	} else if !v.OK || v.Entries != 2+20+10 {
		t.Fatalf("verification = %+v", v)
	}
}

func TestAuditService_NamesAndExport(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	admin, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	i := MustCreateIssue(t, s, adminCtx, domain.NewIssue{Title: "DB down"})
	gone := MustCreateIssue(t, s, adminCtx, domain.NewIssue{Title: "Gone soon"})
	if err := s.Issues.DeleteIssue(adminCtx, gone.ID); err != nil {
		t.Fatal(err)
	}

	// Entries name their entities as they are now, and nothing for those that are gone.
	entries, _, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{EntityType: "issue"})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, e := range entries {
		names[e.Action+" "+e.EntityID] = e.EntityName
	}
	if got, want := names["issue.create "+i.ID], i.Ref+` "DB down"`; got != want {
		t.Errorf("live incident named %q, want %q", got, want)
	}
	if got := names["issue.create "+gone.ID]; got != "" {
		t.Errorf("deleted incident named %q", got)
	}
	users, _, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Action: "user.create", EntityType: "user"})
	if err != nil || len(users) == 0 {
		t.Fatal(users, err)
	}
	if users[len(users)-1].EntityName != admin.DisplayName {
		t.Errorf("user entry named %q, want %q", users[len(users)-1].EntityName, admin.DisplayName)
	}

	// Free text finds words in the details, with LIKE's wildcards taken literally.
	found, total, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Query: "soon"})
	if err != nil || total != 2 || len(found) != 2 {
		t.Fatalf("q=soon: %d entries (%d), %v; want create and delete", len(found), total, err)
	}
	if _, total, _ := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Query: "%"}); total != 0 {
		t.Errorf("q=%%: %d entries, want 0", total)
	}

	// The export records itself first and streams the filtered entries, newest first.
	before := mustCount(t, s.DB, `SELECT count(*) FROM audit_log`)
	var seqs []int64
	err = s.Audit.ExportAuditEntries(adminCtx, domain.AuditFilter{EntityType: "issue", Page: 99, PerPage: 1}, "csv", func(e *domain.AuditEntry) error {
		seqs = append(seqs, e.Seq)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seqs) != len(entries) || seqs[0] < seqs[len(seqs)-1] {
		t.Errorf("exported %v, want the %d issue entries newest first", seqs, len(entries))
	}
	exports, _, err := s.Audit.FindAuditEntries(adminCtx, domain.AuditFilter{Action: "audit.export"})
	if err != nil || len(exports) != 1 || *exports[0].ActorID != admin.ID ||
		!strings.Contains(string(exports[0].Details), `"entity_type":"issue"`) || !strings.Contains(string(exports[0].Details), `"format":"csv"`) {
		t.Fatalf("export entries %+v, %v", exports, err)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log`); n != before+1 {
		t.Errorf("%d entries after the export, want %d", n, before+1)
	}
	if v, err := s.Audit.VerifyAuditChain(adminCtx); err != nil || !v.OK {
		t.Fatalf("chain after export: %+v, %v", v, err)
	}
	// An error from the callback stops the export and is returned.
	stop := errors.New("client went away")
	calls := 0
	if err := s.Audit.ExportAuditEntries(adminCtx, domain.AuditFilter{}, "csv", func(*domain.AuditEntry) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("stopped export: %v after %d calls", err, calls)
	}
	err = s.Audit.ExportAuditEntries(viewerCtx, domain.AuditFilter{}, "csv", func(*domain.AuditEntry) error { return nil })
	wantCode(t, err, domain.EFORBIDDEN)
}
