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
	ID          string `json:"id"`
	IssueID     string `json:"issue_id"`
	FileName    string `json:"file_name"`
	SizeBytes   int64  `json:"file_size"`
	MimeType    string `json:"mime_type"`
	ContentHash string `json:"content_hash"`
	ObjectKey   string `json:"-"`
	// Redacted says that the log was reviewed: a responder applied the review, and from then on
	// its redacted copy is the text everyone but an admin reads and the only one that leaves the
	// portal. RedactedCount and KeptCount say how the review ended: how many values that copy
	// replaces, and how many the reviewer kept as not sensitive (both 0 until then).
	Redacted          bool           `json:"redacted"`
	RedactedCount     int            `json:"redacted_count"`
	KeptCount         int            `json:"kept_count"`
	RedactedObjectKey string         `json:"-"`
	RedactedHash      string         `json:"redacted_hash,omitempty"`
	RedactedSize      int64          `json:"redacted_size,omitempty"`
	InvalidUTF8       bool           `json:"invalid_utf8"`
	PIISummary        map[string]int `json:"pii_summary"`
	// PIITruncated says that more values were found than are kept for review one by one; the
	// rest are redacted without review when redactions are applied.
	PIITruncated   bool      `json:"pii_truncated"`
	UploadedBy     *string   `json:"uploaded_by"`
	UploadedByName string    `json:"uploaded_by_name,omitempty"`
	UploadedAt     time.Time `json:"uploaded_at"`
	// IssueTitle is filled in cross-incident lists.
	IssueTitle string `json:"issue_title,omitempty"`
	// IssueRef is the incident's human id (INC-12), filled with IssueTitle.
	IssueRef string `json:"issue_ref,omitempty"`
	// OriginalDeletedAt is when retention deleted the original text of this reviewed log; the
	// redacted copy stays. Nil while the original is kept.
	OriginalDeletedAt *time.Time `json:"original_deleted_at,omitempty"`
}

// Reviewed says that the log's review was applied (see Redacted).
func (l *LogFile) Reviewed() bool { return l.Redacted }

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
	// IssueRef is the incident's human id (INC-12), filled with IssueTitle.
	IssueRef string `json:"issue_ref,omitempty"`
}

// BlobStore keeps the portal's objects: log text, images, thumbnails and exported documents.
type BlobStore interface {
	// Put stores r under key. size is -1 when unknown; the store then streams it in parts.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens the object; a missing object is ENOTFOUND.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the objects; missing ones are no error.
	Delete(ctx context.Context, keys ...string) error
	// DeletePrefix removes every object whose key starts with prefix.
	DeletePrefix(ctx context.Context, prefix string) error
	// List calls fn with the key of every object under prefix last modified before before.
	List(ctx context.Context, prefix string, before time.Time, fn func(key string) error) error
}

// IssueObjectPrefixes are the key prefixes of every object an incident owns. Keys carry the
// incident's id, so deleting an incident can remove its objects without listing its rows.
func IssueObjectPrefixes(issueID string) []string {
	return []string{"logs/" + issueID + "/", "images/" + issueID + "/", "thumbs/" + issueID + "/", "exports/" + issueID + "/"}
}

// ObjectCleaningIssueService is an IssueService whose DeleteIssue also removes the incident's
// stored objects. Rows go first, objects second: a failure in between leaves orphaned objects,
// which the Sweeper removes, never rows without their objects.
type ObjectCleaningIssueService struct {
	IssueService
	blobs BlobStore
	// OnError, when set, hears about objects that could not be removed.
	OnError func(error)
}

// DeleteIssue deletes the incident, then its objects.
func (s *ObjectCleaningIssueService) DeleteIssue(ctx context.Context, id string) error {
	if err := s.IssueService.DeleteIssue(ctx, id); err != nil {
		return err
	}
	for _, prefix := range IssueObjectPrefixes(id) {
		if err := s.blobs.DeletePrefix(ctx, prefix); err != nil && s.OnError != nil {
			s.OnError(err)
		}
	}
	return nil
}

// ObjectOwner says which of a set of object keys still belong to a row.
type ObjectOwner interface {
	// OwnedObjectKeys returns the subset of keys that some row refers to.
	OwnedObjectKeys(ctx context.Context, keys []string) (map[string]bool, error)
}

// Sweeper removes orphaned objects: objects that no row refers to, left behind when the
// process died between storing an object and committing its row, or between deleting a row
// and its object. Only objects older than MinAge are considered, so uploads in flight are safe.
type Sweeper struct {
	blobs BlobStore
	// Owners maps a key prefix ("logs/", "images/", …) to what knows its rows.
	owners map[string]ObjectOwner
	minAge time.Duration
	Now    func() time.Time
}

// Sweep removes the orphans it finds and returns how many.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	before := now().Add(-s.minAge)
	removed := 0
	for prefix, owner := range s.owners {
		var batch []string
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			owned, err := owner.OwnedObjectKeys(ctx, batch)
			if err != nil {
				return err
			}
			var orphans []string
			for _, k := range batch {
				if !owned[k] {
					orphans = append(orphans, k)
				}
			}
			if err := s.blobs.Delete(ctx, orphans...); err != nil {
				return err
			}
			removed += len(orphans)
			batch = batch[:0]
			return nil
		}
		err := s.blobs.List(ctx, prefix, before, func(key string) error {
			batch = append(batch, key)
			if len(batch) == 500 {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// LogObjectKey is where a log's text is stored, gzipped. Object keys: see domain.md.
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
