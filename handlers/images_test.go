package handlers_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"tftsr/blob"
	"tftsr/blob/blobtest"
	"tftsr/domain"
)

// imagePortal is the HTTP layer over a real database, a real MinIO bucket of the test's own and
// the real thumbnailer.
type imagePortal struct {
	*testPortal
	blobs *blob.Store
}

// newImagePortal starts the portal with images, with the users of newTestPortal (admin, rita
// the responder, vic the viewer).
func newImagePortal(t *testing.T, limits domain.ImageLimits) *imagePortal {
	t.Helper()
	store := blobtest.Open(t)
	b := buildPortal(t, portalOptions{Blobs: store, ImageLimits: limits,
		OnObjectError: func(err error) { t.Errorf("removing objects: %v", err) }})
	p := &imagePortal{testPortal: b.portal(), blobs: store}
	createTestUsers(t, p.users)
	return p
}

// objectKeys lists every object in the test's bucket.
func (p *imagePortal) objectKeys(t *testing.T) []string {
	t.Helper()
	var keys []string
	if err := p.blobs.List(context.Background(), "", time.Time{}, func(k string) error {
		keys = append(keys, k)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

// object reads an object, or returns nil when it is missing.
func (p *imagePortal) object(t *testing.T, key string) []byte {
	t.Helper()
	r, err := p.blobs.Get(context.Background(), key)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// createIssue creates an incident through the API and returns its id.
func (p *imagePortal) createIssue(t *testing.T, c *client, token, title string) string {
	t.Helper()
	r := c.api(http.MethodPost, "/api/v1/issues", token, map[string]string{"title": title})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create incident: %d %s", r.StatusCode, r.Body)
	}
	var is domain.Issue
	if err := json.Unmarshal([]byte(r.Body), &is); err != nil {
		t.Fatal(err)
	}
	return is.ID
}

// multipartForm encodes fields and, when fileName is not "", a file in the field "file".
func multipartForm(t *testing.T, fields map[string]string, fileName string, data []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if fileName != "" {
		fw, err := w.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

// uploadAPI posts an image to the API with a bearer token.
func (c *client) uploadAPI(issueID, token string, fields map[string]string, fileName string, data []byte) *response {
	c.t.Helper()
	body, ct := multipartForm(c.t, fields, fileName, data)
	return c.do(http.MethodPost, "/api/v1/issues/"+issueID+"/images", body, http.Header{"Content-Type": {ct}, "Authorization": {"Bearer " + token}})
}

// pngImage encodes a w × h PNG; with noise, of random pixels that do not compress.
func pngImage(t testing.TB, w, h int, noise bool) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	if noise {
		rand.Read(img.Pix)
	} else {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 200, 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngBombHeader returns a tiny PNG whose header claims 60000 × 60000 pixels. Only its header is
// valid: decoding it would need 14 GB.
func pngBombHeader(t *testing.T) []byte {
	t.Helper()
	full := pngImage(t, 1, 1, false)
	// Rewrite the IHDR's dimensions and its CRC.
	b := append([]byte(nil), full...)
	copy(b[16:20], []byte{0, 0, 0xea, 0x60})
	copy(b[20:24], []byte{0, 0, 0xea, 0x60})
	crc := crc32.ChecksumIEEE(b[12:29])
	copy(b[29:33], []byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	return b
}

func TestImagesEndToEndWithMinIO(t *testing.T) {
	p := newImagePortal(t, domain.DefaultImageLimits)
	api := p.anonymous(t)
	tok := p.token(t, "rita")
	issueID := p.createIssue(t, api, tok, "Grafana shows a disk full")
	shot := pngImage(t, 800, 450, false)
	sum := sha256.Sum256(shot)

	r := api.uploadAPI(issueID, tok, map[string]string{"pii_warning_acknowledged": "true"}, "disk-panel.png", shot)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	var img domain.ImageAttachment
	if err := json.Unmarshal([]byte(r.Body), &img); err != nil {
		t.Fatal(err)
	}
	if img.FileName != "disk-panel.png" || img.MimeType != "image/png" || img.Width != 800 || img.Height != 450 ||
		img.SizeBytes != int64(len(shot)) || img.UploadHash != hex.EncodeToString(sum[:]) || img.IsPaste || !img.PIIWarningAcknowledged {
		t.Errorf("uploaded image = %s", r.Body)
	}
	if strings.Contains(r.Body, "images/") || strings.Contains(r.Body, "thumbs/") {
		t.Errorf("the API shows object keys: %s", r.Body)
	}

	t.Run("objects are in the store", func(t *testing.T) {
		if got := p.object(t, domain.ImageObjectKey(issueID, img.ID)); !bytes.Equal(got, shot) {
			t.Errorf("stored image differs (%d bytes, want %d)", len(got), len(shot))
		}
		if p.object(t, domain.ThumbnailObjectKey(issueID, img.ID)) == nil {
			t.Error("no thumbnail stored")
		}
	})

	rita := p.login(t, "rita")
	t.Run("served through the portal", func(t *testing.T) {
		r := rita.get("/images/"+img.ID, nil)
		if r.StatusCode != http.StatusOK || r.Body != string(shot) {
			t.Fatalf("GET image: %d, %d bytes", r.StatusCode, len(r.Body))
		}
		wantHeaders := map[string]string{
			"Content-Type":           "image/png",
			"X-Content-Type-Options": "nosniff",
			"Content-Disposition":    `inline; filename=disk-panel.png`,
			"Cache-Control":          "private, max-age=31536000, immutable",
			"Etag":                   `"` + img.UploadHash + `"`,
		}
		for k, want := range wantHeaders {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
		r = rita.get("/images/"+img.ID, http.Header{"If-None-Match": {`W/"x", "` + img.UploadHash + `"`}})
		if r.StatusCode != http.StatusNotModified || r.Body != "" || r.Header.Get("Etag") == "" {
			t.Errorf("GET with a matching If-None-Match: %d, %d bytes", r.StatusCode, len(r.Body))
		}
	})

	t.Run("thumbnail is a 320-wide JPEG", func(t *testing.T) {
		r := rita.get("/images/"+img.ID+"/thumbnail", nil)
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("GET thumbnail: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		th, err := jpeg.Decode(strings.NewReader(r.Body))
		if err != nil {
			t.Fatalf("thumbnail does not decode as JPEG: %v", err)
		}
		if b := th.Bounds(); b.Dx() != 320 || b.Dy() != 180 {
			t.Errorf("thumbnail %d × %d, want 320 × 180", b.Dx(), b.Dy())
		}
		etag := r.Header.Get("Etag")
		if etag == "" || etag == `"`+img.UploadHash+`"` {
			t.Errorf("thumbnail ETag %q must differ from the image's", etag)
		}
		if r := rita.get("/images/"+img.ID+"/thumbnail", http.Header{"If-None-Match": {etag}}); r.StatusCode != http.StatusNotModified {
			t.Errorf("thumbnail with a matching If-None-Match: %d", r.StatusCode)
		}
	})

	t.Run("viewers see, strangers do not", func(t *testing.T) {
		vic := p.login(t, "vic")
		if r := vic.get("/images/"+img.ID+"/thumbnail", nil); r.StatusCode != http.StatusOK {
			t.Errorf("viewer: %d", r.StatusCode)
		}
		anon := p.anonymous(t)
		if r := anon.get("/images/"+img.ID, nil); r.StatusCode != http.StatusSeeOther || r.Body == string(shot) {
			t.Errorf("signed out: %d, want a redirect to the login page", r.StatusCode)
		}
		if r := rita.get("/images/0190a000-0000-7000-8000-000000000000", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("unknown image: %d", r.StatusCode)
		}
	})

	var pasted domain.ImageAttachment
	t.Run("paste", func(t *testing.T) {
		small := pngImage(t, 40, 30, false)
		r := api.api(http.MethodPost, "/api/v1/issues/"+issueID+"/images/paste", tok, map[string]any{
			"base64_data": "data:image/png;base64," + base64.StdEncoding.EncodeToString(small), "file_name": "", "pii_warning_acknowledged": true})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("paste: %d %s", r.StatusCode, r.Body)
		}
		json.Unmarshal([]byte(r.Body), &pasted)
		if !pasted.IsPaste || !strings.HasPrefix(pasted.FileName, "pasted-image-") || !strings.HasSuffix(pasted.FileName, ".png") {
			t.Errorf("pasted = %s", r.Body)
		}
		r = api.api(http.MethodGet, "/api/v1/images/"+pasted.ID+"/data", tok, nil)
		var data struct {
			DataURL string `json:"data_url"`
		}
		json.Unmarshal([]byte(r.Body), &data)
		if data.DataURL != "data:image/png;base64,"+base64.StdEncoding.EncodeToString(small) {
			t.Errorf("data URL: %d %.80s", r.StatusCode, r.Body)
		}
	})

	t.Run("lists", func(t *testing.T) {
		r := api.api(http.MethodGet, "/api/v1/issues/"+issueID+"/images", tok, nil)
		var lst struct {
			Items []domain.ImageAttachment `json:"items"`
			Total int                      `json:"total"`
		}
		if err := json.Unmarshal([]byte(r.Body), &lst); err != nil || lst.Total != 2 || lst.Items[0].ID != img.ID {
			t.Errorf("incident's images: %d %s", r.StatusCode, r.Body)
		}
		r = api.api(http.MethodGet, "/api/v1/images?search=PASTED&per_page=10", tok, nil)
		lst.Items = nil
		if err := json.Unmarshal([]byte(r.Body), &lst); err != nil || lst.Total != 1 || lst.Items[0].IssueTitle != "Grafana shows a disk full" {
			t.Errorf("search: %d %s", r.StatusCode, r.Body)
		}
		if r := api.api(http.MethodGet, "/api/v1/images?per_page=0", tok, nil); r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("per_page=0: %d", r.StatusCode)
		}
	})

	t.Run("incident page shows the gallery and the timeline", func(t *testing.T) {
		page := rita.get("/issues/"+issueID+"/images", nil).Body + rita.get("/issues/"+issueID+"/timeline", nil).Body
		for _, want := range []string{
			`src="/images/` + img.ID + `/thumbnail"`, `width="320"`, `height="180"`, `loading="lazy"`, `alt="disk-panel.png"`,
			`href="/images/` + img.ID + `"`, `id="image-ack"`, `Images cannot be redacted automatically.`,
			`data-event-type="image_uploaded"`, `attached image disk-panel.png`, `pasted image pasted-image-`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("incident page lacks %q", want)
			}
		}
		vic := p.login(t, "vic")
		viewerPage := vic.get("/issues/"+issueID+"/images", nil)
		if !strings.Contains(viewerPage.Body, `/images/`+img.ID+`/thumbnail`) || strings.Contains(viewerPage.Body, `id="image-file"`) ||
			strings.Contains(viewerPage.Body, `data-testid="image-delete"`) {
			t.Error("a viewer must see the gallery without the upload form or delete buttons")
		}
	})

	t.Run("delete through the API removes the row and both objects", func(t *testing.T) {
		if r := api.api(http.MethodDelete, "/api/v1/images/"+pasted.ID, tok, nil); r.StatusCode != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.StatusCode, r.Body)
		}
		if p.object(t, domain.ImageObjectKey(issueID, pasted.ID)) != nil || p.object(t, domain.ThumbnailObjectKey(issueID, pasted.ID)) != nil {
			t.Error("objects left after delete")
		}
		if r := rita.get("/images/"+pasted.ID, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET after delete: %d", r.StatusCode)
		}
		if r := api.api(http.MethodDelete, "/api/v1/images/"+pasted.ID, tok, nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("second delete: %d", r.StatusCode)
		}
	})

	t.Run("page upload and delete", func(t *testing.T) {
		body, ct := multipartForm(t, map[string]string{"_csrf": rita.csrf(), "pii_warning_acknowledged": "true"}, "second.png", pngImage(t, 64, 64, false))
		r := rita.do(http.MethodPost, "/issues/"+issueID+"/images", body, http.Header{"Content-Type": {ct}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/issues/"+issueID+"/images" {
			t.Fatalf("form upload: %d to %q: %s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		page := rita.get("/issues/"+issueID+"/images", nil)
		if !strings.Contains(page.Body, "Image uploaded.") || !strings.Contains(page.Body, `alt="second.png"`) {
			t.Error("the page does not show the uploaded image and its flash")
		}
		var second domain.ImageAttachment
		for _, m := range mustImages(t, api, issueID, tok) {
			if m.FileName == "second.png" {
				second = m
			}
		}
		r = rita.postForm("/images/"+second.ID+"/delete", map[string][]string{"_csrf": {rita.csrf()}}, http.Header{"Hx-Request": {"true"}})
		if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `id="image-gallery"`) || strings.Contains(r.Body, `alt="second.png"`) {
			t.Errorf("htmx delete: %d, want the incident without the image", r.StatusCode)
		}
		if p.object(t, domain.ImageObjectKey(issueID, second.ID)) != nil {
			t.Error("object left after the page's delete")
		}
	})

	t.Run("deleting the incident removes its objects", func(t *testing.T) {
		if len(p.objectKeys(t)) != 2 {
			t.Fatalf("objects before: %v, want the first image and its thumbnail", p.objectKeys(t))
		}
		if r := api.api(http.MethodDelete, "/api/v1/issues/"+issueID, tok, nil); r.StatusCode != http.StatusNoContent {
			t.Fatalf("delete incident: %d", r.StatusCode)
		}
		if keys := p.objectKeys(t); len(keys) != 0 {
			t.Errorf("objects left after the incident was deleted: %v", keys)
		}
	})
}

func mustImages(t *testing.T, c *client, issueID, token string) []domain.ImageAttachment {
	t.Helper()
	r := c.api(http.MethodGet, "/api/v1/issues/"+issueID+"/images", token, nil)
	var lst struct {
		Items []domain.ImageAttachment `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.Body), &lst); err != nil {
		t.Fatalf("list images: %d %s", r.StatusCode, r.Body)
	}
	return lst.Items
}

// TestImageBadInput sends hostile and mistaken uploads: each gets a clear 4xx, and nothing is
// stored, neither a row nor an object.
func TestImageBadInput(t *testing.T) {
	limits := domain.ImageLimits{MaxBytes: 60_000, MaxPixels: 50_000_000}
	p := newImagePortal(t, limits)
	c := p.anonymous(t)
	tok := p.token(t, "rita")
	issueID := p.createIssue(t, c, tok, "Bad input")
	ack := map[string]string{"pii_warning_acknowledged": "true"}
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 2000)...)
	noise := pngImage(t, 200, 200, true) // about 160 KB, over the 60 KB limit
	if len(noise) <= 60_000 {
		t.Fatalf("setup: noise PNG is only %d bytes", len(noise))
	}
	rita, vic := p.login(t, "rita"), p.login(t, "vic")
	paste := func(c *client, token string, body any) func() *response {
		return func() *response {
			return c.api(http.MethodPost, "/api/v1/issues/"+issueID+"/images/paste", token, body)
		}
	}
	upload := func(c *client, token string, fields map[string]string, name string, data []byte) func() *response {
		return func() *response { return c.uploadAPI(issueID, token, fields, name, data) }
	}

	tests := []struct {
		name    string
		send    func() *response
		status  int
		code    string
		message string
	}{
		{"60000 × 60000 PNG header", upload(c, tok, ack, "bomb.png", pngBombHeader(t)), 413, domain.ETOOLARGE, "60000 × 60000 pixels"},
		{"a program named .png", upload(c, tok, ack, "holiday.png", exe), 415, domain.EUNSUPPORTED, "not a PNG, JPEG, GIF or WebP image, whatever its name says: its content is a Windows program"},
		{"SVG", upload(c, tok, ack, "x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)), 415, domain.EUNSUPPORTED, "not a PNG"},
		{"base64 that is not", paste(c, tok, map[string]any{"base64_data": "data:image/png;base64,@@@not base64@@@", "pii_warning_acknowledged": true}), 400, domain.EINVALID, "not valid base64"},
		{"base64 of a program", paste(c, tok, map[string]any{"base64_data": base64.StdEncoding.EncodeToString(exe), "pii_warning_acknowledged": true}), 415, domain.EUNSUPPORTED, "Windows program"},
		{"too large", upload(c, tok, ack, "noise.png", noise), 413, domain.ETOOLARGE, "larger than the image size limit"},
		{"too large pasted", paste(c, tok, map[string]any{"base64_data": base64.StdEncoding.EncodeToString(noise), "pii_warning_acknowledged": true}), 413, domain.ETOOLARGE, "larger than the 59 KB limit"},
		{"body over the route's limit", upload(c, tok, ack, "huge.png", make([]byte, 2<<20)), 413, domain.ETOOLARGE, "too large"},
		{"no acknowledgement", upload(c, tok, nil, "ok.png", pngImage(t, 10, 10, false)), 422, domain.EINVALID, "cannot be redacted automatically"},
		{"acknowledgement false", upload(c, tok, map[string]string{"pii_warning_acknowledged": "false"}, "ok.png", pngImage(t, 10, 10, false)), 422, domain.EINVALID, "cannot be redacted automatically"},
		{"paste without acknowledgement", paste(c, tok, map[string]any{"base64_data": base64.StdEncoding.EncodeToString(pngImage(t, 10, 10, false))}), 422, domain.EINVALID, "cannot be redacted automatically"},
		{"viewer", upload(c, p.token(t, "vic"), ack, "ok.png", pngImage(t, 10, 10, false)), 403, domain.EFORBIDDEN, "Viewers can read"},
		{"viewer's session", func() *response {
			body, ct := multipartForm(t, ack, "ok.png", pngImage(t, 10, 10, false))
			return vic.do(http.MethodPost, "/api/v1/issues/"+issueID+"/images", body, http.Header{"Content-Type": {ct}, "X-Csrf-Token": {vic.csrf()}})
		}, 403, domain.EFORBIDDEN, "Viewers can read"},
		{"no CSRF token", func() *response {
			body, ct := multipartForm(t, ack, "ok.png", pngImage(t, 10, 10, false))
			return rita.do(http.MethodPost, "/api/v1/issues/"+issueID+"/images", body, http.Header{"Content-Type": {ct}})
		}, 403, domain.EFORBIDDEN, "security token"},
		{"no CSRF token on the page's form", func() *response {
			body, ct := multipartForm(t, ack, "ok.png", pngImage(t, 10, 10, false))
			return rita.do(http.MethodPost, "/issues/"+issueID+"/images", body, http.Header{"Content-Type": {ct}, "Accept": {"application/json"}})
		}, 403, domain.EFORBIDDEN, "security token"},
		{"no CSRF token on a paste", func() *response {
			b, _ := json.Marshal(map[string]any{"base64_data": base64.StdEncoding.EncodeToString(pngImage(t, 10, 10, false)), "pii_warning_acknowledged": true})
			return rita.do(http.MethodPost, "/api/v1/issues/"+issueID+"/images/paste", bytes.NewReader(b), http.Header{"Content-Type": {"application/json"}})
		}, 403, domain.EFORBIDDEN, "security token"},
		{"bad token", upload(c, "tftsr_not-a-real-token", ack, "ok.png", pngImage(t, 10, 10, false)), 401, domain.EUNAUTHORIZED, "Invalid or revoked API token."},
		{"not multipart", func() *response {
			return c.api(http.MethodPost, "/api/v1/issues/"+issueID+"/images", tok, map[string]any{"file": "x"})
		}, 415, domain.EUNSUPPORTED, "multipart/form-data"},
		{"no file", upload(c, tok, ack, "", nil), 400, domain.EINVALID, "Send one image"},
		{"empty file", upload(c, tok, ack, "empty.png", []byte{}), 400, domain.EINVALID, "empty"},
		{"truncated PNG", upload(c, tok, ack, "cut.png", pngImage(t, 100, 100, false)[:60]), 400, domain.EINVALID, "could not be read"},
		{"unknown incident", func() *response {
			return c.uploadAPI("0190a000-0000-7000-8000-000000000000", tok, ack, "ok.png", pngImage(t, 10, 10, false))
		}, 404, domain.ENOTFOUND, "Incident not found."},
		{"malformed incident id", func() *response {
			return c.uploadAPI("..%2F..%2Fx", tok, ack, "ok.png", pngImage(t, 10, 10, false))
		}, 404, domain.ENOTFOUND, ""},
		{"paste with an unknown field", paste(c, tok, map[string]any{"base64_data": "", "pii_warning_acknowledged": true, "mime_type": "image/png"}), 400, domain.EINVALID, "unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.send()
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, r.Body)
			}
			if code := apiErrorCode(t, r); code != tc.code {
				t.Errorf("code %q, want %q", code, tc.code)
			}
			if !strings.Contains(r.Body, tc.message) {
				t.Errorf("body %s lacks %q", r.Body, tc.message)
			}
		})
	}

	if items := mustImages(t, c, issueID, tok); len(items) != 0 {
		t.Errorf("%d images stored from bad input, want none", len(items))
	}
	if keys := p.objectKeys(t); len(keys) != 0 {
		t.Errorf("objects stored from bad input: %v", keys)
	}
}

// TestImageFileNameIsSafe uploads an image whose name carries markup and path separators: it is
// stored under its base name and shown as text.
func TestImageFileNameIsSafe(t *testing.T) {
	p := newImagePortal(t, domain.DefaultImageLimits)
	c := p.anonymous(t)
	tok := p.token(t, "rita")
	issueID := p.createIssue(t, c, tok, "Hostile names")
	r := c.uploadAPI(issueID, tok, map[string]string{"pii_warning_acknowledged": "true"},
		`..\..\windows/../<script>alert(1)<x>.png`, pngImage(t, 30, 20, false))
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	var img domain.ImageAttachment
	json.Unmarshal([]byte(r.Body), &img)
	if img.FileName != "<script>alert(1)<x>.png" {
		t.Errorf("stored name %q, want the base name without separators", img.FileName)
	}
	rita := p.login(t, "rita")
	page := rita.get("/issues/"+issueID+"/images", nil)
	if strings.Contains(page.Body, "<script>alert(1)") {
		t.Error("the incident page shows the name as markup")
	}
	if !strings.Contains(page.Body, "&lt;script&gt;alert(1)&lt;x&gt;.png") {
		t.Error("the incident page does not show the name as escaped text")
	}
	resp := rita.get("/images/"+img.ID, nil)
	if cd := resp.Header.Get("Content-Disposition"); cd != `inline; filename="<script>alert(1)<x>.png"` {
		t.Errorf("Content-Disposition %q", cd)
	}
}
