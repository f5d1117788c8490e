package domain

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ImageLimits bound what an uploaded image may be. Both are checked before the image is decoded.
type ImageLimits struct {
	// MaxBytes bounds the image file; for a paste, the bytes after base64 decoding.
	MaxBytes int64
	// MaxPixels bounds width × height, so that a small file cannot decode into gigabytes.
	MaxPixels int64
}

// DefaultImageLimits are 10 MB and 50 megapixels.
var DefaultImageLimits = ImageLimits{MaxBytes: 10 << 20, MaxPixels: 50_000_000}

// MaxBase64Len returns the length of the longest base64 text that can decode to at most
// MaxBytes bytes: longer text is refused before it is decoded.
func (l ImageLimits) MaxBase64Len() int64 {
	return (l.MaxBytes + 2) / 3 * 4
}

// The thumbnail box: thumbnails are ThumbnailWidth pixels wide, or as wide as the image when it is
// narrower, and at most ThumbnailMaxHeight tall.
const (
	ThumbnailWidth     = 320
	ThumbnailMaxHeight = 1280
)

// ThumbnailSize returns the size of the thumbnail of a width × height image: scaled down (never
// up) into the thumbnail box, keeping its aspect, and at least 1 × 1.
func ThumbnailSize(width, height int) (int, int) {
	if width <= 0 || height <= 0 {
		return 0, 0
	}
	scale := math.Min(1, math.Min(float64(ThumbnailWidth)/float64(width), float64(ThumbnailMaxHeight)/float64(height)))
	w := max(1, int(math.Round(float64(width)*scale)))
	h := max(1, int(math.Round(float64(height)*scale)))
	return w, h
}

// imageTypes are the image types the portal accepts, with the extension files of each get.
var imageTypes = map[string]string{
	"image/png":  ".png",
	"image/jpeg": ".jpg",
	"image/gif":  ".gif",
	"image/webp": ".webp",
}

// ImageExtension returns the file extension of an accepted image type, or "".
func ImageExtension(mimeType string) string { return imageTypes[mimeType] }

// SniffImageType returns the type of an image from its bytes, never from its name or a declared
// type: PNG, JPEG, GIF or WebP, recognised both by net/http's content sniffing and by the
// format's magic bytes. Anything else is EUNSUPPORTED, with a message that says what the bytes
// look like.
func SniffImageType(data []byte) (string, error) {
	if len(data) == 0 {
		return "", Errorf(EINVALID, "The file is empty.")
	}
	var magic string
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		magic = "image/png"
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		magic = "image/jpeg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		magic = "image/gif"
	case len(data) >= 16 && string(data[:4]) == "RIFF" && string(data[8:15]) == "WEBPVP8":
		magic = "image/webp"
	}
	sniffed := http.DetectContentType(data)
	if magic == "" || sniffed != magic {
		return "", Errorf(EUNSUPPORTED,
			"The file is not a PNG, JPEG, GIF or WebP image, whatever its name says: its content is %s.", describeContent(data, sniffed))
	}
	return magic, nil
}

// describeContent names what non-image bytes look like, for error messages.
func describeContent(data []byte, sniffed string) string {
	switch {
	case bytes.HasPrefix(data, []byte("MZ")):
		return "a Windows program"
	case bytes.HasPrefix(data, []byte("\x7fELF")):
		return "a Linux program"
	case bytes.HasPrefix(data, []byte("#!")):
		return "a script"
	case strings.HasPrefix(sniffed, "image/"):
		return "an unsupported image type (" + sniffed + ")"
	case strings.HasPrefix(sniffed, "text/plain"):
		return "text"
	}
	if i := strings.IndexByte(sniffed, ';'); i >= 0 {
		sniffed = sniffed[:i]
	}
	return sniffed
}

// MaxImageFileNameLen bounds a stored image's file name, in bytes.
const MaxImageFileNameLen = 200

// CleanImageFileName returns a safe name to store for an uploaded image: the base name only
// (after the last / or \), without control characters, trimmed, at most MaxImageFileNameLen
// bytes, and with the extension of its real type. A name with nothing left becomes "image".
func CleanImageFileName(name, mimeType string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	ext := ImageExtension(mimeType)
	base, given := name, path.Ext(name)
	switch strings.ToLower(given) {
	case ".png", ".jpg", ".jpeg", ".jpe", ".gif", ".webp":
		base = strings.TrimSpace(strings.TrimSuffix(name, given))
		if strings.EqualFold(given, ext) || mimeType == "image/jpeg" && strings.EqualFold(given, ".jpeg") {
			ext = given
		}
	}
	if strings.Trim(base, ". ") == "" {
		base = "image"
	}
	for len(base)+len(ext) > MaxImageFileNameLen {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	return base + ext
}

// DecodeBase64Image decodes a pasted image: raw base64 or a data: URL (data:image/png;base64,…),
// line breaks allowed. Text longer than the limit allows is refused before it is decoded; the
// limit then applies to the decoded bytes. The type a data: URL declares is ignored: the bytes
// are sniffed later.
func DecodeBase64Image(s string, limits ImageLimits) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 5 && strings.EqualFold(s[:5], "data:") {
		comma := strings.IndexByte(s, ',')
		if comma < 0 {
			return nil, Errorf(EINVALID, "The pasted image is a data: URL with no data after a comma.")
		}
		if !strings.HasSuffix(strings.ToLower(s[5:comma]), ";base64") {
			return nil, Errorf(EINVALID, "The pasted image must be base64: its data: URL lacks \";base64\".")
		}
		s = s[comma+1:]
	}
	if s == "" {
		return nil, Errorf(EINVALID, "The pasted image is empty: send its bytes in base64_data.")
	}
	maxLen := limits.MaxBase64Len()
	// Allow for a line break every 64 characters before looking closer.
	if int64(len(s)) > maxLen+maxLen/32+4 {
		return nil, tooLarge(limits)
	}
	if strings.ContainsAny(s, " \t\r\n") {
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, s)
	}
	if int64(len(s)) > maxLen {
		return nil, tooLarge(limits)
	}
	enc := base64.StdEncoding
	if len(s)%4 != 0 && !strings.HasSuffix(s, "=") {
		enc = base64.RawStdEncoding
	}
	data, err := enc.DecodeString(s)
	if err != nil {
		return nil, Errorf(EINVALID, "The pasted image is not valid base64 (%s).", strings.TrimPrefix(err.Error(), "illegal base64 data "))
	}
	if int64(len(data)) > limits.MaxBytes {
		return nil, tooLarge(limits)
	}
	return data, nil
}

// tooLarge is the error for an image over the size limit.
func tooLarge(limits ImageLimits) error {
	return Errorf(ETOOLARGE, "The image is larger than the %s limit.", FormatBytes(limits.MaxBytes))
}

// ImageUpload is an image file to attach to an incident.
type ImageUpload struct {
	FileName string
	Data     []byte
	// IsPaste marks an image pasted from the clipboard.
	IsPaste bool
	// PIIWarningAcknowledged is the uploader's confirmation that they know images are not
	// redacted automatically. Uploads without it are refused.
	PIIWarningAcknowledged bool
}

// ImagePaste is a pasted image as the API receives it: base64 or a data: URL.
type ImagePaste struct {
	Base64Data             string `json:"base64_data"`
	FileName               string `json:"file_name"`
	PIIWarningAcknowledged bool   `json:"pii_warning_acknowledged"`
}

// ImageFilter selects images across incidents.
type ImageFilter struct {
	// Search matches file names, case-insensitively, as a substring.
	Search string
	// IssueID limits the list to one incident.
	IssueID string
	Page    int // from 1
	PerPage int
}

// ImageStore keeps the rows of image attachments. Reading needs a viewer, changing a responder.
// Each change is audited, and an upload is recorded on the incident's timeline, in the
// transaction that makes it.
type ImageStore interface {
	// NewImageID returns the id for a new image, so its objects can be stored before its row.
	NewImageID() string
	// CreateImage inserts img, filling in its uploader and upload time.
	CreateImage(ctx context.Context, img *ImageAttachment) error
	FindImageByID(ctx context.Context, id string) (*ImageAttachment, error)
	// FindImages returns an incident's images, oldest first.
	FindImages(ctx context.Context, issueID string) ([]*ImageAttachment, error)
	// FindAllImages returns a page of images across incidents, newest first, with their
	// incident's title, and the number of all matches.
	FindAllImages(ctx context.Context, f ImageFilter) ([]*ImageAttachment, int, error)
	// DeleteImage deletes the row and returns it, so that its objects can be removed.
	DeleteImage(ctx context.Context, id string) (*ImageAttachment, error)
}

// Thumbnailer reads image files: their size from the header alone, and a small preview.
type Thumbnailer interface {
	// Dimensions returns an image's width and height from its header, without decoding its
	// pixels. A file it cannot read is EINVALID.
	Dimensions(data []byte) (width, height int, err error)
	// Thumbnail decodes the image and returns a JPEG of ThumbnailSize(width, height) pixels.
	Thumbnail(data []byte) (jpeg []byte, width, height int, err error)
}

// ImageService attaches images to incidents: it checks an upload (acknowledgement, size, type
// from the bytes, dimensions before decoding), stores the image and its thumbnail in the object
// store, and then the row. An object exists only with its row: a row that fails removes the
// objects, and deleting an image removes its row first and its objects second.
type ImageService struct {
	store  ImageStore
	blobs  BlobStore
	thumbs Thumbnailer
	Limits ImageLimits
	// Now names pasted images; time.Now when nil.
	Now func() time.Time
	// OnError, when set, hears about objects that could not be removed.
	OnError func(error)
}

// Upload attaches an image to an incident as the context's actor.
func (s *ImageService) Upload(ctx context.Context, issueID string, u ImageUpload) (*ImageAttachment, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	issueID, ok := canonicalUUID(issueID)
	if !ok {
		return nil, Errorf(ENOTFOUND, "Incident not found.")
	}
	if !u.PIIWarningAcknowledged {
		return nil, Invalid("Images cannot be redacted automatically: confirm that you checked the image for personal data before uploading it.",
			map[string]string{"pii_warning_acknowledged": "Tick the box to confirm that you checked the image for personal data."})
	}
	if len(u.Data) == 0 {
		return nil, Errorf(EINVALID, "The file is empty.")
	}
	if int64(len(u.Data)) > s.Limits.MaxBytes {
		return nil, tooLarge(s.Limits)
	}
	mimeType, err := SniffImageType(u.Data)
	if err != nil {
		return nil, err
	}
	width, height, err := s.thumbs.Dimensions(u.Data)
	if err != nil {
		return nil, err
	}
	if width <= 0 || height <= 0 {
		return nil, Errorf(EINVALID, "The image has no pixels.")
	}
	if pixels := int64(width) * int64(height); pixels > s.Limits.MaxPixels {
		return nil, Errorf(ETOOLARGE, "The image is %d × %d pixels (%.0f megapixels); the limit is %.0f megapixels.",
			width, height, float64(pixels)/1e6, float64(s.Limits.MaxPixels)/1e6)
	}
	sum := sha256.Sum256(u.Data)
	thumb, _, _, err := s.thumbs.Thumbnail(u.Data)
	if err != nil {
		return nil, err
	}

	img := &ImageAttachment{
		ID:                     s.store.NewImageID(),
		IssueID:                issueID,
		FileName:               CleanImageFileName(u.FileName, mimeType),
		MimeType:               mimeType,
		SizeBytes:              int64(len(u.Data)),
		Width:                  width,
		Height:                 height,
		UploadHash:             hex.EncodeToString(sum[:]),
		IsPaste:                u.IsPaste,
		PIIWarningAcknowledged: true,
	}
	if u.IsPaste && strings.TrimSpace(u.FileName) == "" {
		img.FileName = "pasted-image-" + s.now().UTC().Format("20060102-150405") + ImageExtension(mimeType)
	}
	img.ObjectKey = ImageObjectKey(issueID, img.ID)
	img.ThumbnailKey = ThumbnailObjectKey(issueID, img.ID)

	if err := s.blobs.Put(ctx, img.ObjectKey, bytes.NewReader(u.Data), img.SizeBytes, mimeType); err != nil {
		return nil, err
	}
	if err := s.blobs.Put(ctx, img.ThumbnailKey, bytes.NewReader(thumb), int64(len(thumb)), "image/jpeg"); err != nil {
		s.removeObjects(ctx, img)
		return nil, err
	}
	if err := s.store.CreateImage(ctx, img); err != nil {
		s.removeObjects(ctx, img)
		return nil, err
	}
	return img, nil
}

// UploadPaste attaches a pasted image, given in base64, as the context's actor. Without a file
// name it is named pasted-image-<time> with the extension of its real type.
func (s *ImageService) UploadPaste(ctx context.Context, issueID string, p ImagePaste) (*ImageAttachment, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	if !p.PIIWarningAcknowledged {
		return nil, Invalid("Images cannot be redacted automatically: confirm that you checked the image for personal data before uploading it.",
			map[string]string{"pii_warning_acknowledged": "Tick the box to confirm that you checked the image for personal data."})
	}
	data, err := DecodeBase64Image(p.Base64Data, s.Limits)
	if err != nil {
		return nil, err
	}
	return s.Upload(ctx, issueID, ImageUpload{FileName: p.FileName, Data: data, IsPaste: true, PIIWarningAcknowledged: true})
}

// FindImage returns an image's row.
func (s *ImageService) FindImage(ctx context.Context, id string) (*ImageAttachment, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	return s.store.FindImageByID(ctx, id)
}

// FindImages returns an incident's images, oldest first.
func (s *ImageService) FindImages(ctx context.Context, issueID string) ([]*ImageAttachment, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	return s.store.FindImages(ctx, issueID)
}

// FindAllImages returns a page of images across incidents, newest first, and the number of all
// matches.
func (s *ImageService) FindAllImages(ctx context.Context, f ImageFilter) ([]*ImageAttachment, int, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, 0, err
	}
	return s.store.FindAllImages(ctx, f)
}

// OpenImage opens the stored bytes of an image found with FindImage, or of its thumbnail (a JPEG).
func (s *ImageService) OpenImage(ctx context.Context, img *ImageAttachment, thumbnail bool) (io.ReadCloser, error) {
	if err := Require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	if thumbnail {
		return s.blobs.Get(ctx, img.ThumbnailKey)
	}
	return s.blobs.Get(ctx, img.ObjectKey)
}

// ImageDataURL returns an image as a data: URL (data:image/png;base64,…).
func (s *ImageService) ImageDataURL(ctx context.Context, id string) (string, error) {
	img, err := s.FindImage(ctx, id)
	if err != nil {
		return "", err
	}
	r, err := s.OpenImage(ctx, img, false)
	if err != nil {
		return "", err
	}
	defer r.Close()
	var b strings.Builder
	b.Grow(len("data:;base64,") + len(img.MimeType) + base64.StdEncoding.EncodedLen(int(img.SizeBytes)))
	b.WriteString("data:" + img.MimeType + ";base64,")
	enc := base64.NewEncoder(base64.StdEncoding, &b)
	if _, err := io.Copy(enc, r); err != nil {
		return "", fmt.Errorf("reading image %s: %w", img.ID, err)
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Delete removes an image: its row first, then its objects. Objects that cannot be removed are
// reported to OnError and left for the Sweeper; the image is gone either way.
func (s *ImageService) Delete(ctx context.Context, id string) (*ImageAttachment, error) {
	if err := Require(ctx, RoleResponder); err != nil {
		return nil, err
	}
	img, err := s.store.DeleteImage(ctx, id)
	if err != nil {
		return nil, err
	}
	s.removeObjects(ctx, img)
	return img, nil
}

// removeObjects deletes an image's objects, even when ctx has been cancelled.
func (s *ImageService) removeObjects(ctx context.Context, img *ImageAttachment) {
	if err := s.blobs.Delete(context.WithoutCancel(ctx), img.ObjectKey, img.ThumbnailKey); err != nil && s.OnError != nil {
		s.OnError(fmt.Errorf("removing the objects of image %s: %w", img.ID, err))
	}
}

func (s *ImageService) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// canonicalUUID returns s as a lower-case UUID in the 8-4-4-4-12 form, and false when it is not
// one. Object keys carry incident ids, so they must have one spelling.
func canonicalUUID(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != 36 {
		return "", false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return "", false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
				return "", false
			}
		}
	}
	return s, true
}
