package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tftsr/blob"
	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
)

// TestRetentionEndToEnd: an admin sets retention in Settings and runs it; the reviewed log that
// was old enough then says its original was deleted, and asking for the original says so too.
func TestRetentionEndToEnd(t *testing.T) {
	p := startPortal(t, map[string]string{"TFTSR_DB_KEY": dbtest.MasterKeyBase64()})
	bg := context.Background()
	database, err := db.Open(bg, p.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close()
	database.AuditKeys = dbtest.AuditKeys()
	store, err := blob.Open(blob.Config{Endpoint: p.env["TFTSR_S3_ENDPOINT"], AccessKey: p.env["TFTSR_S3_ACCESS_KEY"],
		SecretKey: p.env["TFTSR_S3_SECRET_KEY"], Bucket: p.env["TFTSR_S3_BUCKET"]})
	if err != nil {
		t.Fatal(err)
	}
	sys := domain.NewSystemContext(bg, "test")
	issue, err := db.NewIssueService(database).CreateIssue(sys, domain.NewIssue{Title: "VPN drops every hour"})
	if err != nil {
		t.Fatal(err)
	}
	logs := domain.NewLogService(db.NewLogStore(database), store, domain.LogLimits{})
	logs.TempDir = t.TempDir()
	uploaded, err := logs.UploadLog(sys, issue.ID, "vpn.log", strings.NewReader("08:00 tunnel up for carol@example.com\n08:59 tunnel down\n"))
	if err != nil {
		t.Fatal(err)
	}
	id := uploaded[0].ID
	if _, err := logs.ApplyRedactions(sys, id, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := database.Pool.Exec(bg, `UPDATE log_files SET uploaded_at = $2 WHERE id = $1`, id, time.Now().Add(-45*24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	ctx := newBrowser(t)
	shoot := func(name string) {
		t.Helper()
		shot := mustRun(t, ctx, "taking the screenshot "+name, chromedp.CaptureScreenshot())
		path := filepath.Join(t.TempDir(), name)
		if d := os.Getenv("TFTSR_SCREENSHOT_DIR"); d != "" {
			path = filepath.Join(d, name)
		}
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", path, len(shot))
	}
	p.signIn(t, ctx, "/settings", "#retention-form", viewport(1280, 1400))

	// A bad value is refused in place, then a good one saved.
	mustDo(t, ctx, "enter a bad number of days",
		scrollTo("#retention-form"),
		setValue("#retention-incident-days", "99999"),
		click("#retention-save"),
	)
	waitFor(t, ctx, "the field message", `!!document.querySelector("#retention-form [aria-invalid=true]")`)
	if msg := mustText(t, ctx, "#retention-form"); !strings.Contains(msg, "from 1 to 3650") {
		t.Errorf("the form says %q", msg)
	}
	mustDo(t, ctx, "save retention",
		setValue("#retention-log-days", "30"),
		setValue("#retention-incident-days", ""),
		click("#retention-save"),
		waitVisible(".flash"),
	)
	if got := mustText(t, ctx, ".flash"); got != "Retention settings saved." {
		t.Errorf("flash %q", got)
	}
	mustDo(t, ctx, "run retention now", js(`document.querySelector(".flash").remove()`),
		scrollTo("#retention-run"), click("#retention-run"), waitVisible(".flash"))
	if got := mustText(t, ctx, ".flash"); got != "Retention ran: deleted the original text of 1 log and 0 closed incidents." {
		t.Errorf("flash after the run %q", got)
	}
	mustDo(t, ctx, "scroll to retention", scrollTo("#retention-heading"))
	shoot("retention-settings.png")

	mustDo(t, ctx, "open the log", navigate(p.URL+"/logs/"+id), waitVisible("[data-testid=original-deleted-notice]"))
	if got := mustText(t, ctx, "[data-testid=original-deleted-notice]"); !strings.Contains(got, "deleted by retention on "+time.Now().UTC().Format("2006-01-02")) {
		t.Errorf("notice %q", got)
	}
	if n := mustEval[int](t, ctx, "the view-original button", `document.querySelectorAll("[data-testid=log-view-original]").length`); n != 0 {
		t.Error("the page still offers the deleted original")
	}
	shoot("retention-log.png")
	mustDo(t, ctx, "ask for the original", navigate(p.URL+"/logs/"+id+"/original"), waitVisible("main"))
	if body := mustText(t, ctx, "main"); !strings.Contains(body, "deleted by retention on") {
		t.Errorf("the original's page says %q", body)
	}
}
