package domain_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

// docStore is a DocumentStore in memory with one document.
type docStore struct {
	domain.DocumentStore
	versions []string
	exports  []string
}

func (s *docStore) FindDocument(_ context.Context, id string, v int) (*domain.Document, error) {
	if v == 0 {
		v = len(s.versions)
	}
	if v > len(s.versions) {
		return nil, domain.Errorf(domain.ENOTFOUND, "Version not found.")
	}
	return &domain.Document{ID: id, IssueID: "i1", Kind: domain.DocumentPostmortem, Title: "Post-mortem: Disk full",
		CurrentVersion: len(s.versions), Version: v, ContentMD: s.versions[v-1]}, nil
}

func (s *docStore) SaveVersion(ctx context.Context, id, content string, base, _ int) (*domain.Document, error) {
	if base != 0 && base != len(s.versions) {
		return nil, domain.DocumentConflict(len(s.versions), "Rita", time.Unix(0, 0))
	}
	s.versions = append(s.versions, content)
	return s.FindDocument(ctx, id, 0)
}

func (s *docStore) RecordExport(_ context.Context, d *domain.Document, format string) error {
	s.exports = append(s.exports, format)
	return nil
}

type memStore struct {
	domain.BlobStore
	objs map[string][]byte
}

func (m *memStore) Get(_ context.Context, key string) (io.ReadCloser, error) {
	b, ok := m.objs[key]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Not found.")
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (m *memStore) Put(_ context.Context, key string, r io.Reader, _ int64, _ string) error {
	b, err := io.ReadAll(r)
	m.objs[key] = b
	return err
}

type issuesFake struct{ domain.IssueService }

func (issuesFake) FindIssueDetail(context.Context, string) (*domain.IssueDetail, error) {
	return &domain.IssueDetail{
		Issue:            &domain.Issue{ID: "i1", Title: "Disk full", Severity: domain.SeverityHigh, Status: domain.StatusOpen},
		ImageAttachments: []*domain.ImageAttachment{{ID: "m1", MimeType: "image/png", ObjectKey: "images/i1/m1"}, {ID: "m2", ObjectKey: "images/i1/m2"}},
	}, nil
}

type settingsFake struct{ domain.SettingsService }

// actionsFake is the action items of incidents that have none.
type actionsFake struct{ domain.ActionItemStore }

func (settingsFake) GetSettings(context.Context) (domain.Settings, error) {
	s := domain.DefaultSettings()
	s.PaperSize = domain.PaperLetter
	return s, nil
}

type countingPDF struct {
	calls int
	last  domain.PrintableDocument
}

func (p *countingPDF) RenderPDF(_ context.Context, d domain.PrintableDocument) ([]byte, error) {
	p.calls++
	p.last = d
	return []byte("%PDF v" + string(rune('0'+d.Version))), nil
}

func docCtx(role domain.Role) context.Context {
	return domain.NewContextWithUser(context.Background(), &domain.User{ID: "u1", Username: "rita", Role: role})
}

func TestDocumentService(t *testing.T) {
	store := &docStore{versions: []string{"# v1\n\n![shot](/images/m1)"}}
	blobs := &memStore{objs: map[string][]byte{"images/i1/m1": []byte("PNGDATA"), "images/i1/m2": []byte("unused")}}
	pdf := &countingPDF{}
	svc := domain.NewDocumentService(store, actionsFake{}, issuesFake{}, pdf, blobs, settingsFake{})
	ctx := docCtx(domain.RoleResponder)

	t.Run("pdf is rendered once per version with images and paper", func(t *testing.T) {
		f, err := svc.Export(docCtx(domain.RoleViewer), "d1", 0, domain.ExportPDF)
		if err != nil {
			t.Fatal(err)
		}
		if f.FileName != "postmortem-disk-full-v1.pdf" || string(f.Data) != "%PDF v1" {
			t.Errorf("export = %+v", f)
		}
		if pdf.last.Paper != domain.PaperLetter || len(pdf.last.Images) != 1 || string(pdf.last.Images["/images/m1"].Data) != "PNGDATA" {
			t.Errorf("printable = %+v", pdf.last)
		}
		if _, ok := blobs.objs["exports/i1/d1/v1.pdf"]; !ok {
			t.Errorf("pdf not stored")
		}
		if _, err := svc.Export(ctx, "d1", 0, domain.ExportPDF); err != nil {
			t.Fatal(err)
		}
		if pdf.calls != 1 {
			t.Errorf("rendered %d times, want the stored pdf reused", pdf.calls)
		}
		if len(store.exports) != 2 {
			t.Errorf("exports recorded = %v", store.exports)
		}
	})

	t.Run("save conflicts on a stale base and restore adds a version", func(t *testing.T) {
		if _, err := svc.Save(ctx, "d1", "# v2", 1); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Save(ctx, "d1", "# stale", 1)
		if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "your text is kept") {
			t.Errorf("stale save = %v", err)
		}
		d, err := svc.Restore(ctx, "d1", 1, 2)
		if err != nil || d.Version != 3 || !strings.HasPrefix(d.ContentMD, "# v1") {
			t.Errorf("restore = %+v, %v", d, err)
		}
		_, err = svc.Save(docCtx(domain.RoleViewer), "d1", "x", 0)
		if domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("viewer save = %v", err)
		}
		_, err = svc.Save(ctx, "d1", strings.Repeat("x", domain.MaxDocumentLen+1), 0)
		if domain.ErrorCode(err) != domain.ETOOLARGE {
			t.Errorf("long save = %v", err)
		}
	})

	t.Run("markdown export is the stored text", func(t *testing.T) {
		f, err := svc.Export(ctx, "d1", 2, domain.ExportMarkdown)
		if err != nil || string(f.Data) != "# v2" || f.FileName != "postmortem-disk-full-v2.md" {
			t.Errorf("md = %+v, %v", f, err)
		}
	})
}
