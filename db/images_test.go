package db_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/domain"
)

// mustCreateImage inserts an image row for issueID named name, as the actor of ctx.
func mustCreateImage(tb testing.TB, store *db.ImageStore, ctx context.Context, issueID, name string) *domain.ImageAttachment {
	tb.Helper()
	id := store.NewImageID()
	img := &domain.ImageAttachment{
		ID: id, IssueID: issueID, FileName: name, MimeType: "image/png", SizeBytes: 1234, Width: 640, Height: 400,
		UploadHash: strings.Repeat("ab", 32), ObjectKey: domain.ImageObjectKey(issueID, id),
		ThumbnailKey: domain.ThumbnailObjectKey(issueID, id), PIIWarningAcknowledged: true,
	}
	if err := store.CreateImage(ctx, img); err != nil {
		tb.Fatalf("create image %q: %v", name, err)
	}
	return img
}

func TestImageStore(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewImageStore(s.DB)
	rob, robCtx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewCtx := MustCreateUser(t, s, domain.RoleViewer)
	issue := MustCreateIssue(t, s, robCtx, domain.NewIssue{Title: "Checkout 502s"})

	s.Clock.Add(time.Minute)
	img := mustCreateImage(t, store, robCtx, strings.ToUpper(issue.ID), "gateway <errors>.png")
	if img.IssueID != issue.ID || img.UploadedBy == nil || *img.UploadedBy != rob.ID || img.UploadedByName != rob.Name() ||
		!img.UploadedAt.Equal(s.Clock.Now()) {
		t.Errorf("created image = %+v", img)
	}

	t.Run("find by id", func(t *testing.T) {
		got, err := store.FindImageByID(viewCtx, img.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, img) {
			t.Errorf("found %+v\nwant %+v", got, img)
		}
		for _, id := range []string{"0190a000-0000-7000-8000-000000000000", "not-a-uuid", ""} {
			_, err := store.FindImageByID(viewCtx, id)
			wantCode(t, err, domain.ENOTFOUND)
		}
	})

	t.Run("upload is on the timeline and audited", func(t *testing.T) {
		events, err := s.Issues.FindTimelineEvents(viewCtx, issue.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.EventType != domain.EventImageUploaded || !strings.Contains(last.Description, "attached image gateway <errors>.png") ||
			!strings.Contains(string(last.Metadata), img.ID) {
			t.Errorf("last event = %+v", last)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'image.upload' AND entity_id = $1`, img.ID); n != 1 {
			t.Errorf("%d upload audit entries, want 1", n)
		}
		i, _ := s.Issues.FindIssueByID(viewCtx, issue.ID)
		if !i.UpdatedAt.Equal(s.Clock.Now()) {
			t.Errorf("incident updated_at %v, want the upload's time", i.UpdatedAt)
		}
	})

	t.Run("incident detail lists the images", func(t *testing.T) {
		d, err := s.Issues.FindIssueDetail(viewCtx, issue.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.ImageAttachments) != 1 || d.ImageAttachments[0].ID != img.ID {
			t.Errorf("detail images = %+v", d.ImageAttachments)
		}
	})

	t.Run("roles", func(t *testing.T) {
		id := store.NewImageID()
		err := store.CreateImage(viewCtx, &domain.ImageAttachment{ID: id, IssueID: issue.ID, FileName: "x.png",
			MimeType: "image/png", SizeBytes: 1, Width: 1, Height: 1, ObjectKey: "images/x/" + id, ThumbnailKey: "thumbs/x/" + id,
			PIIWarningAcknowledged: true})
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = store.DeleteImage(viewCtx, img.ID)
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = store.FindImageByID(context.Background(), img.ID)
		wantCode(t, err, domain.EUNAUTHORIZED)
	})

	t.Run("invalid rows are refused", func(t *testing.T) {
		for name, mutate := range map[string]func(*domain.ImageAttachment){
			"unknown incident":     func(m *domain.ImageAttachment) { m.IssueID = "0190a000-0000-7000-8000-000000000000" },
			"not acknowledged":     func(m *domain.ImageAttachment) { m.PIIWarningAcknowledged = false },
			"svg":                  func(m *domain.ImageAttachment) { m.MimeType = "image/svg+xml" },
			"no pixels":            func(m *domain.ImageAttachment) { m.Width = 0 },
			"duplicate object key": func(m *domain.ImageAttachment) { m.ObjectKey = img.ObjectKey },
		} {
			id := store.NewImageID()
			m := &domain.ImageAttachment{ID: id, IssueID: issue.ID, FileName: "x.png", MimeType: "image/png", SizeBytes: 1,
				Width: 1, Height: 1, UploadHash: "h", ObjectKey: "images/" + id, ThumbnailKey: "thumbs/" + id, PIIWarningAcknowledged: true}
			mutate(m)
			if err := store.CreateImage(robCtx, m); err == nil || domain.ErrorCode(err) == domain.EINTERNAL {
				t.Errorf("%s: CreateImage = %v, want a domain error", name, err)
			}
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM image_attachments`); n != 1 {
			t.Errorf("%d rows after refused inserts, want 1", n)
		}
	})

	t.Run("owned object keys", func(t *testing.T) {
		owned, err := store.OwnedObjectKeys(context.Background(), []string{img.ObjectKey, img.ThumbnailKey, "images/x/orphan", "thumbs/x/orphan.jpg"})
		if err != nil {
			t.Fatal(err)
		}
		if !owned[img.ObjectKey] || !owned[img.ThumbnailKey] || owned["images/x/orphan"] || owned["thumbs/x/orphan.jpg"] {
			t.Errorf("owned = %v", owned)
		}
		if owned, err := store.OwnedObjectKeys(context.Background(), nil); err != nil || len(owned) != 0 {
			t.Errorf("no keys: %v, %v", owned, err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		got, err := store.DeleteImage(robCtx, img.ID)
		if err != nil || got.ObjectKey != img.ObjectKey || got.ThumbnailKey != img.ThumbnailKey {
			t.Fatalf("DeleteImage = %+v, %v", got, err)
		}
		_, err = store.FindImageByID(viewCtx, img.ID)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = store.DeleteImage(robCtx, img.ID)
		wantCode(t, err, domain.ENOTFOUND)
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'image.delete' AND entity_id = $1`, img.ID); n != 1 {
			t.Errorf("%d delete audit entries, want 1", n)
		}
		if owned, _ := store.OwnedObjectKeys(context.Background(), []string{img.ObjectKey}); owned[img.ObjectKey] {
			t.Error("a deleted image's object is still owned")
		}
	})
}

func TestImageStoreCascade(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewImageStore(s.DB)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	issue := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Goes away"})
	keep := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Stays"})
	mustCreateImage(t, store, ctx, issue.ID, "a.png")
	mustCreateImage(t, store, ctx, issue.ID, "b.png")
	kept := mustCreateImage(t, store, ctx, keep.ID, "c.png")

	if err := s.Issues.DeleteIssue(ctx, issue.ID); err != nil {
		t.Fatal(err)
	}
	if n := mustCount(t, s.DB, `SELECT count(*) FROM image_attachments WHERE issue_id = $1`, issue.ID); n != 0 {
		t.Errorf("%d images left after their incident was deleted", n)
	}
	if _, err := store.FindImageByID(ctx, kept.ID); err != nil {
		t.Errorf("another incident's image: %v", err)
	}
	_, err := store.FindImages(ctx, issue.ID)
	wantCode(t, err, domain.ENOTFOUND)
}

func TestImageStoreFind(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	store := db.NewImageStore(s.DB)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewCtx := MustCreateUser(t, s, domain.RoleViewer)
	a := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "Disk full on db01"})
	b := MustCreateIssue(t, s, ctx, domain.NewIssue{Title: "VPN flaps"})

	names := []string{"Grafana_Panel.png", "grafana-50%.png", "console.jpg", "dmesg_output.png", `back\slash.gif`}
	var created []*domain.ImageAttachment
	for i, name := range names {
		s.Clock.Add(time.Minute)
		issue := a
		if i%2 == 1 {
			issue = b
		}
		created = append(created, mustCreateImage(t, store, ctx, issue.ID, name))
	}

	t.Run("an incident's images, oldest first", func(t *testing.T) {
		got, err := store.FindImages(viewCtx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(fileNames(got)) != "[Grafana_Panel.png console.jpg back\\slash.gif]" {
			t.Errorf("images of a = %v", fileNames(got))
		}
	})

	tests := []struct {
		name  string
		f     domain.ImageFilter
		want  string
		total int
	}{
		{"all, newest first", domain.ImageFilter{}, `[back\slash.gif dmesg_output.png console.jpg grafana-50%.png Grafana_Panel.png]`, 5},
		{"search is case-insensitive", domain.ImageFilter{Search: "GRAFANA"}, "[grafana-50%.png Grafana_Panel.png]", 2},
		{"% is literal", domain.ImageFilter{Search: "%"}, "[grafana-50%.png]", 1},
		{"_ is literal", domain.ImageFilter{Search: "a_"}, "[Grafana_Panel.png]", 1},
		{"backslash is literal", domain.ImageFilter{Search: `k\s`}, `[back\slash.gif]`, 1},
		{"no match", domain.ImageFilter{Search: "nothing"}, "[]", 0},
		{"by incident", domain.ImageFilter{IssueID: b.ID}, "[dmesg_output.png grafana-50%.png]", 2},
		{"search within an incident", domain.ImageFilter{IssueID: a.ID, Search: ".png"}, "[Grafana_Panel.png]", 1},
		{"malformed incident id", domain.ImageFilter{IssueID: "x'; DROP TABLE issues; --"}, "[]", 0},
		{"page 2 of 2", domain.ImageFilter{Page: 2, PerPage: 3}, "[grafana-50%.png Grafana_Panel.png]", 5},
		{"past the end", domain.ImageFilter{Page: 9, PerPage: 3}, "[]", 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := store.FindAllImages(viewCtx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(fileNames(got)) != tc.want || total != tc.total {
				t.Errorf("FindAllImages = %v (total %d), want %s (total %d)", fileNames(got), total, tc.want, tc.total)
			}
		})
	}

	t.Run("with the incident's title", func(t *testing.T) {
		got, _, err := store.FindAllImages(viewCtx, domain.ImageFilter{Search: "dmesg"})
		if err != nil || len(got) != 1 {
			t.Fatalf("FindAllImages = %v, %v", got, err)
		}
		if got[0].IssueTitle != "VPN flaps" || got[0].ID != created[3].ID {
			t.Errorf("summary = %+v", got[0])
		}
	})
	t.Run("signed out", func(t *testing.T) {
		_, _, err := store.FindAllImages(context.Background(), domain.ImageFilter{})
		wantCode(t, err, domain.EUNAUTHORIZED)
	})
}

func fileNames(images []*domain.ImageAttachment) []string {
	names := []string{}
	for _, m := range images {
		names = append(names, m.FileName)
	}
	return names
}
