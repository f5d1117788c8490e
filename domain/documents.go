package domain

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// DocumentKind is what a document is: a root cause analysis or a blameless post-mortem.
type DocumentKind string

// The document kinds.
const (
	DocumentRCA        DocumentKind = "rca"
	DocumentPostmortem DocumentKind = "postmortem"
)

// DocumentKinds lists every document kind.
var DocumentKinds = []DocumentKind{DocumentRCA, DocumentPostmortem}

// Valid reports whether k is a known kind.
func (k DocumentKind) Valid() bool { return contains(DocumentKinds, k) }

// Label returns k for people: "RCA" or "Post-mortem".
func (k DocumentKind) Label() string {
	if k == DocumentPostmortem {
		return "Post-mortem"
	}
	return "RCA"
}

// EventType returns the timeline event recorded when a document of kind k is generated.
func (k DocumentKind) EventType() string {
	if k == DocumentPostmortem {
		return EventPostmortemGenerated
	}
	return EventRCAGenerated
}

// MaxDocumentLen bounds a document's Markdown, in bytes.
const MaxDocumentLen = 1_000_000

// Document is an incident's RCA or post-mortem. An incident has at most one document of each
// kind; generating it again, saving it and restoring an old version each add a version, so that
// every version stays readable. The version fields describe the version that was read: the
// current one unless an older one was asked for.
type Document struct {
	ID             string       `json:"id"`
	IssueID        string       `json:"issue_id"`
	Kind           DocumentKind `json:"kind"`
	Title          string       `json:"title"`
	CurrentVersion int          `json:"current_version"`
	CreatedBy      *string      `json:"created_by"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`

	Version          int       `json:"version"`
	ContentMD        string    `json:"content_md"`
	AuthorID         *string   `json:"author_id"`
	AuthorName       string    `json:"author_name,omitempty"`
	VersionCreatedAt time.Time `json:"version_created_at"`
}

// DocumentVersion is one saved version of a document.
type DocumentVersion struct {
	DocumentID string    `json:"document_id"`
	Version    int       `json:"version"`
	ContentMD  string    `json:"content_md,omitempty"`
	AuthorID   *string   `json:"author_id"`
	AuthorName string    `json:"author_name,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// RestoredFrom is the version this one restored, or 0.
	RestoredFrom int `json:"restored_from,omitempty"`
}

// DocumentExportKey is the object key of a document version's PDF.
func DocumentExportKey(issueID, documentID string, version int) string {
	return fmt.Sprintf("exports/%s/%s/v%d.pdf", issueID, documentID, version)
}

// DocumentConflict is the error of a save whose base version is no longer the current one.
func DocumentConflict(version int, author string, at time.Time) *Error {
	if author == "" {
		author = "Someone else"
	}
	return Errorf(ECONFLICT, "%s saved version %d at %s — reload to see it; your text is kept in the editor.",
		author, version, at.UTC().Format("2006-01-02 15:04 UTC"))
}

// ValidateDocumentContent normalises Markdown for storage and checks it: valid UTF-8, no NUL
// and at most MaxDocumentLen bytes (ETOOLARGE beyond).
func ValidateDocumentContent(s string) (string, error) {
	if len(s) > MaxDocumentLen {
		return "", Errorf(ETOOLARGE, "The document is too long: at most %s.", FormatBytes(MaxDocumentLen))
	}
	if !utf8.ValidString(s) {
		return "", Invalid("The document must be valid UTF-8 text.", map[string]string{"content_md": "Not valid UTF-8 text."})
	}
	if strings.ContainsRune(s, 0) {
		return "", Invalid("The document contains a NUL character.", map[string]string{"content_md": "Remove the NUL character."})
	}
	return normaliseNewlines(s), nil
}

// DocumentStore keeps documents and their versions. Reading needs a viewer, changing a
// responder; every change is audited in its transaction.
type DocumentStore interface {
	// SaveGenerated stores content as the next version of the incident's document of kind,
	// creating the document first when there is none, and records the kind's generated event
	// on the timeline in the same transaction.
	SaveGenerated(ctx context.Context, issueID string, kind DocumentKind, title, content string) (*Document, error)
	// SaveVersion stores content as the next version of a document. When baseVersion is not 0
	// and is not the current version, nothing is stored and the error is a DocumentConflict.
	// restoredFrom is the version being restored, or 0.
	SaveVersion(ctx context.Context, id, content string, baseVersion, restoredFrom int) (*Document, error)
	// FindDocument returns a document with a version's content: the current one when version is 0.
	FindDocument(ctx context.Context, id string, version int) (*Document, error)
	// FindDocuments returns an incident's documents with their current content.
	FindDocuments(ctx context.Context, issueID string) ([]*Document, error)
	// FindVersions returns a document's versions, newest first, without their content.
	FindVersions(ctx context.Context, id string) ([]*DocumentVersion, error)
	// RecordExport records a document_exported event on the timeline and audits it.
	RecordExport(ctx context.Context, d *Document, format string) error
}

// DocumentService generates, edits, versions and exports an incident's documents and keeps its
// action items, which feed the documents.
type DocumentService struct {
	store   DocumentStore
	actions ActionItemStore
	// Issues reads the incident a document is generated from.
	issues   IssueService
	renderer PDFRenderer
	blobs    BlobStore
	settings SettingsService
	// Now dates generated documents; time.Now when nil.
	Now func() time.Time
}

func (s *DocumentService) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Generate builds the incident's document of kind from its current data and stores it as the
// next version of that document (the first generation creates it).
func (s *DocumentService) Generate(ctx context.Context, issueID string, kind DocumentKind) (*Document, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	if !kind.Valid() {
		return nil, Invalid("Choose rca or postmortem.", map[string]string{"kind": "Choose rca or postmortem."})
	}
	d, err := s.issues.FindIssueDetail(ctx, issueID)
	if err != nil {
		return nil, err
	}
	items, err := s.actions.FindActionItems(ctx, d.Issue.ID)
	if err != nil {
		return nil, err
	}
	in := ReportInput(d, items, s.now())
	content := BuildReport(kind, in)
	return s.store.SaveGenerated(ctx, d.Issue.ID, kind, DocumentTitle(kind, d.Issue.Title), content)
}

// DocumentTitle returns the title of an incident's document of kind.
func DocumentTitle(kind DocumentKind, issueTitle string) string {
	if kind == DocumentPostmortem {
		return "Post-mortem: " + issueTitle
	}
	return "Root Cause Analysis: " + issueTitle
}

// Find returns a document with a version's content, the current one when version is 0.
func (s *DocumentService) Find(ctx context.Context, id string, version int) (*Document, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	if version < 0 {
		return nil, Errorf(ENOTFOUND, "Version not found.")
	}
	return s.store.FindDocument(ctx, id, version)
}

// FindByIssue returns an incident's documents.
func (s *DocumentService) FindByIssue(ctx context.Context, issueID string) ([]*Document, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	return s.store.FindDocuments(ctx, issueID)
}

// Versions returns a document's versions, newest first.
func (s *DocumentService) Versions(ctx context.Context, id string) ([]*DocumentVersion, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	return s.store.FindVersions(ctx, id)
}

// Save stores content as a new version of a document. With a baseVersion other than 0, the save
// happens only if nobody saved since that version; otherwise it is ECONFLICT and nothing is
// overwritten.
func (s *DocumentService) Save(ctx context.Context, id, content string, baseVersion int) (*Document, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	content, err := ValidateDocumentContent(content)
	if err != nil {
		return nil, err
	}
	if baseVersion < 0 {
		return nil, Invalid("Invalid base version.", map[string]string{"base_version": "Must be a version number."})
	}
	return s.store.SaveVersion(ctx, id, content, baseVersion, 0)
}

// Restore stores an old version's content as a new version, under the same conflict check as Save.
func (s *DocumentService) Restore(ctx context.Context, id string, version, baseVersion int) (*Document, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	if version <= 0 {
		return nil, Errorf(ENOTFOUND, "Version not found.")
	}
	old, err := s.store.FindDocument(ctx, id, version)
	if err != nil {
		return nil, err
	}
	return s.store.SaveVersion(ctx, old.ID, old.ContentMD, baseVersion, version)
}
