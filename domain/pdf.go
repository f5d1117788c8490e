package domain

import (
	"context"
	"time"
)

// PaperSize is the page size of exported PDFs, a team setting.
type PaperSize string

// The paper sizes.
const (
	PaperA4     PaperSize = "a4"
	PaperLetter PaperSize = "letter"
)

// PrintableDocument is what a PDF export prints: a title block from the incident and the
// document's Markdown.
type PrintableDocument struct {
	Title         string // the document's title, e.g. "Post-mortem: Checkout latency spike"
	IncidentTitle string
	Severity      Severity
	Status        Status
	Kind          string // "rca" or "postmortem"
	Version       int
	OpenedAt      time.Time
	ResolvedAt    *time.Time
	GeneratedAt   time.Time
	Authors       []string
	Markdown      string
	Paper         PaperSize
	// Images maps the image URLs the Markdown uses (e.g. /images/{id}) to their bytes and type,
	// so the renderer can embed them without fetching anything.
	Images map[string]PrintImage
}

// PrintImage is an image embedded in a PDF.
type PrintImage struct {
	MimeType string
	Data     []byte
}

// PDFRenderer turns a document into a print-quality PDF.
type PDFRenderer interface {
	RenderPDF(ctx context.Context, doc PrintableDocument) ([]byte, error)
}
