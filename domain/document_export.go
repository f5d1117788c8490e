package domain

import (
	"bytes"
	"context"
	"io"
	"strings"
)

// Export formats.
const (
	ExportMarkdown = "md"
	ExportPDF      = "pdf"
)

// maxExportImageBytes bounds the bytes of one image read for a PDF.
const maxExportImageBytes = 20 << 20

// ExportedFile is a document exported for download.
type ExportedFile struct {
	FileName    string
	ContentType string
	Data        []byte
}

// Export returns a version of a document (the current one when version is 0) as Markdown or PDF
// and records a document_exported event. Markdown is the stored text as is when it shows no
// image of its incident; otherwise a zip of the text (document.md) and those images, which the
// text then links to by relative path (images/<name>), so that the export reads anywhere, not
// only on the portal. A PDF is rendered
// once per version, with the images the Markdown shows embedded and the team's paper size, and
// stored at DocumentExportKey; later exports of that version reuse the stored file.
func (s *DocumentService) Export(ctx context.Context, id string, version int, format string) (*ExportedFile, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	if format != ExportMarkdown && format != ExportPDF {
		return nil, Invalid("Choose md or pdf.", map[string]string{"format": "Choose md or pdf."})
	}
	d, err := s.Find(ctx, id, version)
	if err != nil {
		return nil, err
	}
	f := &ExportedFile{FileName: ExportFileName(d, format)}
	if format == ExportMarkdown {
		if err := s.markdownExport(ctx, d, f); err != nil {
			return nil, err
		}
	} else {
		f.ContentType = "application/pdf"
		if f.Data, err = s.pdf(ctx, d); err != nil {
			return nil, err
		}
	}
	if err := s.store.RecordExport(ctx, d, format); err != nil {
		return nil, err
	}
	return f, nil
}

// markdownExport fills f with the Markdown export of d: the text, or a zip of it and the images
// of its incident that it shows.
func (s *DocumentService) markdownExport(ctx context.Context, d *Document, f *ExportedFile) error {
	f.ContentType, f.Data = "text/markdown; charset=utf-8", []byte(d.ContentMD)
	if !strings.Contains(d.ContentMD, ImageURL("")) {
		return nil
	}
	detail, err := s.issues.FindIssueDetail(ctx, d.IssueID)
	if err != nil {
		return err
	}
	imgs := referencedImages(d.ContentMD, detail.ImageAttachments)
	if len(imgs) == 0 {
		return nil
	}
	data, err := markdownZip(ctx, d.ContentMD, imgs, d.VersionCreatedAt, s.readImage)
	if err != nil {
		return err
	}
	f.FileName = strings.TrimSuffix(f.FileName, "."+ExportMarkdown) + "." + ExportZip
	f.ContentType, f.Data = "application/zip", data
	return nil
}

// ExportFileName names an exported version: "postmortem-checkout-latency-v3.md".
func ExportFileName(d *Document, format string) string {
	slug := slugify(strings.TrimPrefix(strings.TrimPrefix(d.Title, "Post-mortem: "), "Root Cause Analysis: "))
	if slug == "" {
		slug = "document"
	}
	return string(d.Kind) + "-" + slug + "-v" + itoa(d.Version) + "." + format
}

// slugify keeps ASCII letters and digits, lower-cased, joined by single hyphens, at most 60 bytes.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// pdf returns the stored PDF of a version, rendering and storing it first when there is none.
func (s *DocumentService) pdf(ctx context.Context, d *Document) ([]byte, error) {
	key := DocumentExportKey(d.IssueID, d.ID, d.Version)
	if rc, err := s.blobs.Get(ctx, key); err == nil {
		defer rc.Close()
		return io.ReadAll(rc)
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	doc, err := s.printable(ctx, d)
	if err != nil {
		return nil, err
	}
	data, err := s.renderer.RenderPDF(ctx, doc)
	if err != nil {
		return nil, err
	}
	if err := s.blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/pdf"); err != nil {
		return nil, err
	}
	return data, nil
}

// printable builds what the PDF renderer prints from a document version and its incident.
func (s *DocumentService) printable(ctx context.Context, d *Document) (PrintableDocument, error) {
	detail, err := s.issues.FindIssueDetail(ctx, d.IssueID)
	if err != nil {
		return PrintableDocument{}, err
	}
	paper := PaperA4
	if s.settings != nil {
		st, err := s.settings.GetSettings(ctx)
		if err != nil {
			return PrintableDocument{}, err
		}
		if st.PaperSize.Valid() {
			paper = st.PaperSize
		}
	}
	is := detail.Issue
	doc := PrintableDocument{
		Title: d.Title, IncidentTitle: is.Title, Severity: is.Severity, Status: is.Status,
		Kind: string(d.Kind), Version: d.Version, OpenedAt: is.CreatedAt, ResolvedAt: is.ResolvedAt,
		GeneratedAt: d.VersionCreatedAt, Markdown: d.ContentMD, Paper: paper, Images: map[string]PrintImage{},
	}
	if d.AuthorName != "" {
		doc.Authors = []string{d.AuthorName}
	}
	for _, img := range referencedImages(d.ContentMD, detail.ImageAttachments) {
		u := ImageURL(img.ID)
		data, err := s.readImage(ctx, img)
		if err != nil {
			return PrintableDocument{}, err
		}
		doc.Images[u] = PrintImage{MimeType: img.MimeType, Data: data}
	}
	return doc, nil
}

// readImage reads an image's bytes from the object store.
func (s *DocumentService) readImage(ctx context.Context, img *ImageAttachment) ([]byte, error) {
	rc, err := s.blobs.Get(ctx, img.ObjectKey)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, maxExportImageBytes))
}
