package domain

import (
	"context"
	"io"
	"time"
)

// LogFile is a log attached to an incident. Its text lives in the object store, gzip-compressed:
// the original at ObjectKey and, once redactions are applied, the redacted text at
// RedactedObjectKey.
type LogFile struct {
	ID                string         `json:"id"`
	IssueID           string         `json:"issue_id"`
	FileName          string         `json:"file_name"`
	SizeBytes         int64          `json:"file_size"`
	MimeType          string         `json:"mime_type"`
	ContentHash       string         `json:"content_hash"`
	ObjectKey         string         `json:"-"`
	Redacted          bool           `json:"redacted"`
	RedactedObjectKey string         `json:"-"`
	RedactedHash      string         `json:"redacted_hash,omitempty"`
	InvalidUTF8       bool           `json:"invalid_utf8"`
	PIISummary        map[string]int `json:"pii_summary"`
	UploadedBy        *string        `json:"uploaded_by"`
	UploadedByName    string         `json:"uploaded_by_name,omitempty"`
	UploadedAt        time.Time      `json:"uploaded_at"`
	// IssueTitle is filled in cross-incident lists.
	IssueTitle string `json:"issue_title,omitempty"`
}

// PIISpan is a value the detector found in a log, by byte offsets into the original text. The
// value itself is never stored; it is read from the text when a reviewer looks at it.
type PIISpan struct {
	ID          string `json:"id"`
	LogFileID   string `json:"log_file_id"`
	PIIType     string `json:"pii_type"`
	Start       int64  `json:"start"`
	End         int64  `json:"end"`
	Replacement string `json:"replacement"`
	Approved    bool   `json:"approved"`
	// Original is the value, filled only where a reviewer is shown it.
	Original string `json:"original,omitempty"`
}

// ImageAttachment is a screenshot or other image attached to an incident. Images cannot be
// redacted automatically; uploading one requires acknowledging that.
type ImageAttachment struct {
	ID                     string    `json:"id"`
	IssueID                string    `json:"issue_id"`
	FileName               string    `json:"file_name"`
	MimeType               string    `json:"mime_type"`
	SizeBytes              int64     `json:"file_size"`
	Width                  int       `json:"width"`
	Height                 int       `json:"height"`
	UploadHash             string    `json:"upload_hash"`
	ObjectKey              string    `json:"-"`
	ThumbnailKey           string    `json:"-"`
	IsPaste                bool      `json:"is_paste"`
	PIIWarningAcknowledged bool      `json:"pii_warning_acknowledged"`
	UploadedBy             *string   `json:"uploaded_by"`
	UploadedByName         string    `json:"uploaded_by_name,omitempty"`
	UploadedAt             time.Time `json:"uploaded_at"`
	// IssueTitle is filled in cross-incident lists.
	IssueTitle string `json:"issue_title,omitempty"`
}

// BlobStore keeps the portal's objects: log text, images, thumbnails and exported documents.
type BlobStore interface {
	// Put stores r under key. size is -1 when unknown; the store then streams it in parts.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens the object; a missing object is ENOTFOUND.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the objects; missing ones are no error.
	Delete(ctx context.Context, keys ...string) error
	// List calls fn with the key of every object under prefix last modified before before.
	List(ctx context.Context, prefix string, before time.Time, fn func(key string) error) error
}

// Object keys. See domain.md.
func LogObjectKey(issueID, logID string) string { return "logs/" + issueID + "/" + logID + ".txt.gz" }

// RedactedLogObjectKey is where a log's redacted text is stored.
func RedactedLogObjectKey(issueID, logID string) string {
	return "logs/" + issueID + "/" + logID + ".redacted.txt.gz"
}

// ImageObjectKey is where an image's bytes are stored.
func ImageObjectKey(issueID, imageID string) string { return "images/" + issueID + "/" + imageID }

// ThumbnailObjectKey is where an image's thumbnail is stored.
func ThumbnailObjectKey(issueID, imageID string) string {
	return "thumbs/" + issueID + "/" + imageID + ".jpg"
}
