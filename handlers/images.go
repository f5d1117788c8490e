package handlers

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
	"tftsr/views"
)

// imageCacheControl lets browsers keep an image for a year: an image id always names the same
// bytes. The cache is private because reading an image needs a signed-in user.
const imageCacheControl = "private, max-age=31536000, immutable"

// imageUploadBodyLimit is the body limit of the image upload routes, in bytes: an image at the
// size limit in base64, with room for the JSON or multipart framing around it.
func (s *Server) imageUploadBodyLimit() int64 {
	limits := s.images.Limits
	if limits.MaxBytes == 0 {
		limits = domain.DefaultImageLimits
	}
	return limits.MaxBase64Len() + 1<<20
}

// uploadedFile is one file of a multipart upload.
type uploadedFile struct {
	name string
	data []byte
}

// readImageForm reads a multipart image upload: the files of the field "file" and the field
// pii_warning_acknowledged. A file over maxBytes is ETOOLARGE; empty file fields are skipped.
func (s *Server) readImageForm(c echo.Context, maxBytes int64) ([]uploadedFile, bool, error) {
	r := c.Request()
	if r.MultipartForm == nil {
		// The whole body is within the route's body limit, so keep it in memory.
		if err := r.ParseMultipartForm(s.imageUploadBodyLimit()); err != nil {
			var he *echo.HTTPError
			switch {
			case errors.As(err, &he):
				return nil, false, he
			case errors.Is(err, http.ErrNotMultipart):
				return nil, false, domain.Errorf(domain.EUNSUPPORTED, "Send the image as multipart/form-data, in a file field named \"file\".")
			}
			return nil, false, domain.Errorf(domain.EINVALID, "The upload could not be read: it is not a complete multipart form.")
		}
	}
	defer r.MultipartForm.RemoveAll()
	ack := false
	for _, v := range r.MultipartForm.Value["pii_warning_acknowledged"] {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "1", "on", "yes":
			ack = true
		}
	}
	var files []uploadedFile
	for _, fh := range r.MultipartForm.File["file"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // a file input left empty
		}
		if fh.Size > maxBytes {
			return nil, false, domain.Errorf(domain.ETOOLARGE, "%s is larger than the image size limit.", strconv.Quote(fh.Filename))
		}
		f, err := fh.Open()
		if err != nil {
			return nil, false, err
		}
		data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
		f.Close()
		if err != nil {
			return nil, false, err
		}
		files = append(files, uploadedFile{name: fh.Filename, data: data})
	}
	return files, ack, nil
}

// handleImageUpload attaches the images of the incident page's upload form (a fallback for
// browsers without JavaScript; the page's script uploads through the API). An htmx request gets
// the incident back; a plain form goes back to the incident page.
func (s *Server) handleImageUpload(c echo.Context) error {
	images := s.images
	ctx, id := c.Request().Context(), c.Param("id")
	files, ack, err := s.readImageForm(c, images.Limits.MaxBytes)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return domain.Errorf(domain.EINVALID, "Choose an image to upload.")
	}
	for _, f := range files {
		if _, err := images.Upload(ctx, id, domain.ImageUpload{FileName: f.name, Data: f.data, PIIWarningAcknowledged: ack}); err != nil {
			return err
		}
	}
	if isHTMX(c) {
		p, err := s.issueSections(c, id, domain.IssueImages|domain.IssueTimeline)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, views.ImagesUploaded(p))
	}
	if len(files) == 1 {
		s.flash(c, "Image uploaded.")
	} else {
		s.flash(c, strconv.Itoa(len(files))+" images uploaded.")
	}
	return redirect(c, views.IssueTabPath(id, views.TabImages))
}

// handleImageDelete deletes an image from the incident page.
func (s *Server) handleImageDelete(c echo.Context) error {
	images := s.images
	img, err := images.Delete(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if isHTMX(c) {
		p, err := s.issueSections(c, img.IssueID, domain.IssueImages)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, views.ImageGallery(p))
	}
	s.flash(c, "Image deleted.")
	return redirect(c, views.IssueTabPath(img.IssueID, views.TabImages))
}

// handleImageFile serves an image's bytes.
func (s *Server) handleImageFile(c echo.Context) error { return s.serveImage(c, false) }

// handleImageThumbnail serves an image's thumbnail, a JPEG.
func (s *Server) handleImageThumbnail(c echo.Context) error { return s.serveImage(c, true) }

// serveImage serves an image or its thumbnail with the type sniffed at upload, never sniffed by
// the browser, inline under its stored name, cacheable for a year with its hash as the ETag.
func (s *Server) serveImage(c echo.Context, thumbnail bool) error {
	images := s.images
	ctx := c.Request().Context()
	img, err := images.FindImage(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	etag, contentType, name := `"`+img.UploadHash+`"`, img.MimeType, img.FileName
	if thumbnail {
		etag, contentType = `"`+img.UploadHash+`-thumb"`, "image/jpeg"
		name = strings.TrimSuffix(name, path.Ext(name)) + "-thumbnail.jpg"
	}
	h := c.Response().Header()
	if etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		h.Set("ETag", etag)
		h.Set("Cache-Control", imageCacheControl)
		return c.NoContent(http.StatusNotModified)
	}
	r, err := images.OpenImage(ctx, img, thumbnail)
	if err != nil {
		return err
	}
	defer r.Close()
	h.Set("ETag", etag)
	h.Set("Cache-Control", imageCacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	disposition := mime.FormatMediaType("inline", map[string]string{"filename": name})
	if disposition == "" {
		disposition = "inline"
	}
	h.Set("Content-Disposition", disposition)
	if !thumbnail {
		h.Set(echo.HeaderContentLength, strconv.FormatInt(img.SizeBytes, 10))
	}
	return c.Stream(http.StatusOK, contentType, r)
}

// etagMatches reports whether an If-None-Match header names etag, weakly or strongly, or is *.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
