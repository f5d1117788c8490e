package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tftsr/blob"
	"tftsr/blob/blobtest"
	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
)

// retentionPortal is a database and a bucket with the services retention works with.
type retentionPortal struct {
	dsn      string
	cfg      blob.Config
	db       *db.DB
	store    *blob.Store
	issues   *db.IssueService
	logs     *domain.LogService
	settings *db.SettingsService
	sys      context.Context
}

func newRetentionPortal(t *testing.T) *retentionPortal {
	t.Helper()
	p := &retentionPortal{dsn: dbtest.DSN(t), cfg: blobtest.Config(t), sys: domain.NewSystemContext(context.Background(), "test")}
	p.store = blobtest.OpenConfig(t, p.cfg)
	var err error
	if p.db, err = db.Open(context.Background(), p.dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.db.Close)
	p.db.AuditKeys = dbtest.AuditKeys()
	p.issues = db.NewIssueService(p.db)
	p.logs = domain.NewLogService(db.NewLogStore(p.db), p.store, domain.LogLimits{})
	p.logs.TempDir = t.TempDir()
	p.settings = db.NewSettingsService(p.db)
	return p
}

// service returns a retention service whose clock says now, over blobs.
func (p *retentionPortal) service(now time.Time, blobs domain.BlobStore) *domain.RetentionService {
	r := domain.NewRetentionService(db.NewRetentionStore(p.db), blobs, p.settings)
	r.Now = func() time.Time { return now }
	return r
}

func (p *retentionPortal) set(t *testing.T, logDays, incidentDays int) {
	t.Helper()
	if _, err := p.settings.UpdateSettings(p.sys, domain.SettingsUpdate{RetentionOriginalLogDays: &logDays, RetentionClosedIncidentDays: &incidentDays}); err != nil {
		t.Fatal(err)
	}
}

func (p *retentionPortal) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := p.db.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

// upload stores a log, reviewed (redactions applied) when review is set, uploaded at at.
func (p *retentionPortal) upload(t *testing.T, issueID, name string, review bool, at time.Time) *domain.LogFile {
	t.Helper()
	l, err := p.logs.UploadLog(p.sys, issueID, name, strings.NewReader("09:00 login by bob@example.com from 10.0.0.7\n"))
	if err != nil {
		t.Fatal(err)
	}
	if review {
		if _, err := p.logs.ApplyRedactions(p.sys, l[0].ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	p.exec(t, `UPDATE log_files SET uploaded_at = $2 WHERE id = $1`, l[0].ID, at)
	found, err := p.logs.FindLog(p.sys, l[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func (p *retentionPortal) hasObject(t *testing.T, key string) bool {
	t.Helper()
	r, err := p.store.Get(context.Background(), key)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	return true
}

// retentionRuns returns the details of every retention.run audit entry, oldest first.
func (p *retentionPortal) retentionRuns(t *testing.T) []map[string]any {
	t.Helper()
	rows, err := p.db.Pool.Query(context.Background(), `SELECT details::text FROM audit_log WHERE action = 'retention.run' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestRetentionOriginalLogs(t *testing.T) {
	p := newRetentionPortal(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	const days = 10
	cutoff := now.Add(-days * 24 * time.Hour)
	issue, err := p.issues.CreateIssue(p.sys, domain.NewIssue{Title: "Login storm"})
	if err != nil {
		t.Fatal(err)
	}
	exact := p.upload(t, issue.ID, "exact.log", true, cutoff)                      // exactly N days old: deleted
	younger := p.upload(t, issue.ID, "younger.log", true, cutoff.Add(time.Minute)) // a minute short: kept
	unreviewed := p.upload(t, issue.ID, "unreviewed.log", false, cutoff.Add(-300*24*time.Hour))

	// Off by default: nothing happens, and nothing is audited.
	r, err := p.service(now, p.store).Run(p.sys)
	if err != nil || !r.Ran || r.OriginalLogsDeleted != 0 || r.Summary() != "Retention is off: nothing is deleted." {
		t.Fatalf("run with retention off: %+v %v", r, err)
	}

	p.set(t, days, 0)
	r, err = p.service(now, p.store).Run(p.sys)
	if err != nil || !r.Ran || r.OriginalLogsDeleted != 1 || r.IncidentsDeleted != 0 || r.OriginalLogDays != days {
		t.Fatalf("run: %+v %v, want the original of one log deleted", r, err)
	}
	if p.hasObject(t, exact.ObjectKey) || !p.hasObject(t, exact.RedactedObjectKey) {
		t.Error("the expired log's original is still stored, or its redacted copy is gone")
	}
	for _, l := range []*domain.LogFile{younger, unreviewed} {
		if !p.hasObject(t, l.ObjectKey) {
			t.Errorf("%s lost its original", l.FileName)
		}
		if got, _ := p.logs.FindLog(p.sys, l.ID); got.OriginalDeletedAt != nil {
			t.Errorf("%s is marked as having lost its original", l.FileName)
		}
	}
	got, err := p.logs.FindLog(p.sys, exact.ID)
	if err != nil || got.OriginalDeletedAt == nil {
		t.Fatalf("the expired log is not marked: %+v %v", got, err)
	}
	_, _, err = p.logs.Open(p.sys, exact.ID, true, "test")
	if domain.ErrorCode(err) != domain.ENOTFOUND || !strings.Contains(domain.ErrorMessage(err), "deleted by retention on") {
		t.Errorf("opening the deleted original: %v, want a not-found error saying retention deleted it", err)
	}
	if _, _, err := p.logs.Page(p.sys, exact.ID, 1, true); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("a page of the deleted original: %v", err)
	}
	_, rc, err := p.logs.Open(p.sys, exact.ID, false, "test")
	if err != nil {
		t.Fatalf("the redacted copy no longer opens: %v", err)
	}
	text, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Contains(text, []byte("[Email]")) || bytes.Contains(text, []byte("bob@example.com")) {
		t.Errorf("the redacted copy reads %q", text)
	}

	// A second run finds nothing more: idempotent, and audited with its zero counts.
	if r, err := p.service(now, p.store).Run(p.sys); err != nil || r.OriginalLogsDeleted != 0 {
		t.Errorf("second run: %+v %v", r, err)
	}
	runs := p.retentionRuns(t)
	if len(runs) != 2 || runs[0]["original_logs_deleted"] != 1.0 || runs[0]["original_log_days"] != float64(days) || runs[1]["original_logs_deleted"] != 0.0 {
		t.Errorf("retention.run audit entries: %v", runs)
	}

	// A backup after retention holds what is left, and the audit chain still verifies.
	env := backupEnv(p.dsn, p.cfg)
	if out, err := runCLI(t, env, "", "backup", filepath.Join(t.TempDir(), "after.tar")); err != nil {
		t.Errorf("backup after retention: %v\n%s", err, out)
	}
	if out, err := runCLI(t, env, "", "audit", "verify"); err != nil || !strings.HasPrefix(out, "ok ") {
		t.Errorf("audit verify: %v %q", err, out)
	}
}

func TestRetentionClosedIncidents(t *testing.T) {
	p := newRetentionPortal(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	const days = 30
	cutoff := now.Add(-days * 24 * time.Hour)
	mk := func(title string, status domain.Status) *domain.Issue {
		i, err := p.issues.CreateIssue(p.sys, domain.NewIssue{Title: title})
		if err != nil {
			t.Fatal(err)
		}
		if status != domain.StatusOpen {
			if i, err = p.issues.UpdateIssue(p.sys, i.ID, domain.IssueUpdate{Status: &status}); err != nil {
				t.Fatal(err)
			}
		}
		return i
	}
	expired := mk("Closed long ago", domain.StatusClosed)
	recent := mk("Closed a minute too recently", domain.StatusClosed)
	resolved := mk("Resolved long ago but never closed", domain.StatusResolved)
	reopened := mk("Closed, then reopened", domain.StatusClosed)
	log := p.upload(t, expired.ID, "expired.log", true, cutoff)
	kept := p.upload(t, recent.ID, "recent.log", false, cutoff)

	// Closing records when; reopening clears it.
	var closedAt *time.Time
	if err := p.db.Pool.QueryRow(context.Background(), `SELECT closed_at FROM issues WHERE id = $1`, expired.ID).Scan(&closedAt); err != nil || closedAt == nil {
		t.Fatalf("closing set no closed_at: %v", err)
	}
	open := domain.StatusInvestigating
	if _, err := p.issues.UpdateIssue(p.sys, reopened.ID, domain.IssueUpdate{Status: &open}); err != nil {
		t.Fatal(err)
	}
	if err := p.db.Pool.QueryRow(context.Background(), `SELECT closed_at FROM issues WHERE id = $1`, reopened.ID).Scan(&closedAt); err != nil || closedAt != nil {
		t.Fatalf("reopening kept closed_at %v (%v)", closedAt, err)
	}
	p.exec(t, `UPDATE issues SET closed_at = $2 WHERE id = $1`, expired.ID, cutoff)
	p.exec(t, `UPDATE issues SET closed_at = $2 WHERE id = $1`, recent.ID, cutoff.Add(time.Minute))
	p.exec(t, `UPDATE issues SET resolved_at = $2, updated_at = $2 WHERE id = $1`, resolved.ID, cutoff.Add(-100*24*time.Hour))

	// Off by default: even an incident closed long ago stays.
	if r, err := p.service(now, p.store).Run(p.sys); err != nil || r.IncidentsDeleted != 0 {
		t.Fatalf("run with retention off: %+v %v", r, err)
	}
	if _, err := p.issues.FindIssueByID(p.sys, expired.ID); err != nil {
		t.Fatalf("retention off deleted an incident: %v", err)
	}

	p.set(t, 0, days)
	r, err := p.service(now, p.store).Run(p.sys)
	if err != nil || r.IncidentsDeleted != 1 || r.OriginalLogsDeleted != 0 {
		t.Fatalf("run: %+v %v, want one incident deleted", r, err)
	}
	if r.Summary() != "Retention ran: deleted the original text of 0 logs and 1 closed incident." {
		t.Errorf("summary %q", r.Summary())
	}
	if _, err := p.issues.FindIssueByID(p.sys, expired.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("the expired incident: %v, want it deleted", err)
	}
	if p.hasObject(t, log.ObjectKey) || p.hasObject(t, log.RedactedObjectKey) {
		t.Error("the deleted incident's log objects are still stored")
	}
	for _, i := range []*domain.Issue{recent, resolved, reopened} {
		if _, err := p.issues.FindIssueByID(p.sys, i.ID); err != nil {
			t.Errorf("%q was deleted: %v", i.Title, err)
		}
	}
	if !p.hasObject(t, kept.ObjectKey) {
		t.Error("a kept incident lost its log")
	}
	var details string
	if err := p.db.Pool.QueryRow(context.Background(), `SELECT details::text FROM audit_log WHERE action = 'issue.delete' AND entity_id = $1`, expired.ID).Scan(&details); err != nil || !strings.Contains(details, `"by":"retention"`) || !strings.Contains(details, "Closed long ago") {
		t.Errorf("the deletion's audit entry: %s %v", details, err)
	}
	if r, err := p.service(now, p.store).Run(p.sys); err != nil || r.IncidentsDeleted != 0 {
		t.Errorf("second run: %+v %v", r, err)
	}
	runs := p.retentionRuns(t)
	if len(runs) != 2 || runs[0]["incidents_deleted"] != 1.0 || runs[0]["closed_incident_days"] != float64(days) || runs[1]["incidents_deleted"] != 0.0 {
		t.Errorf("retention.run audit entries: %v", runs)
	}

	// Only admins and the portal itself may run it.
	u, err := db.NewUserService(p.db).CreateUser(p.sys, domain.NewUser{Username: "rita", Role: domain.RoleResponder, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.service(now, p.store).Run(domain.NewContextWithUser(context.Background(), u)); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("a responder's run: %v, want forbidden", err)
	}
}

// blockingDeletes holds the first Delete of the store until released, telling when it began.
type blockingDeletes struct {
	*blob.Store
	began   chan struct{}
	release chan struct{}
}

func (b *blockingDeletes) Delete(ctx context.Context, keys ...string) error {
	select {
	case b.began <- struct{}{}:
		<-b.release
	default:
	}
	return b.Store.Delete(ctx, keys...)
}

func TestRetentionOneRunAtATime(t *testing.T) {
	p := newRetentionPortal(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	issue, err := p.issues.CreateIssue(p.sys, domain.NewIssue{Title: "Old logs"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.log", "b.log"} {
		p.upload(t, issue.ID, name, true, now.Add(-40*24*time.Hour))
	}
	p.set(t, 30, 0)

	// The first run stops inside its work, holding the lock; a second one, as another replica
	// would start it with its own service, does nothing.
	blocking := &blockingDeletes{Store: p.store, began: make(chan struct{}), release: make(chan struct{})}
	first := make(chan domain.RetentionResult, 1)
	go func() {
		r, err := p.service(now, blocking).Run(p.sys)
		if err != nil {
			t.Error(err)
		}
		first <- r
	}()
	<-blocking.began
	second, err := p.service(now, p.store).Run(p.sys)
	if err != nil || second.Ran || second.OriginalLogsDeleted != 0 {
		t.Errorf("concurrent run: %+v %v, want it to do nothing", second, err)
	}
	if !strings.Contains(second.Summary(), "already running") {
		t.Errorf("concurrent run says %q", second.Summary())
	}
	close(blocking.release)
	if r := <-first; !r.Ran || r.OriginalLogsDeleted != 2 {
		t.Errorf("first run: %+v, want both originals deleted", r)
	}
	if runs := p.retentionRuns(t); len(runs) != 1 {
		t.Errorf("%d retention.run audit entries, want only the run that worked", len(runs))
	}
	// The lock is released: the next run takes it.
	if r, err := p.service(now, p.store).Run(p.sys); err != nil || !r.Ran || r.OriginalLogsDeleted != 0 {
		t.Errorf("run after the first: %+v %v", r, err)
	}
}
