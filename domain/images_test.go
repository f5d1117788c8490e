package domain_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	_ "image/gif"
	_ "image/jpeg"
	"image/png"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"tftsr/domain"
)

// Headers of real files: the first bytes of a PNG, a JPEG (JFIF), GIF87a and GIF89a, and the three
// kinds of WebP (lossy VP8, lossless VP8L, extended VP8X).
var (
	pngHeader  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x90\x91h6")
	jpegHeader = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	gif87      = []byte("GIF87a\x10\x00\x10\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,")
	gif89      = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04")
	webpLossy  = []byte("RIFF\x92\x09\x00\x00WEBPVP8 \x86\x09\x00\x00\xd0\x2d\x00\x9d\x01\x2a\x96\x00\x64\x00")
	webpVP8L   = []byte("RIFF\x8e\x4c\x00\x00WEBPVP8L\x81\x4c\x00\x00\x2f\x95\x40\x18\x00")
	webpVP8X   = []byte("RIFF\x2c\x2d\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00\x8f\x01\x00\x2c\x01\x00")
	windowsExe = []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00\x00\x00\x00\x00@\x00")
)

func TestSniffImageType(t *testing.T) {
	tests := []struct {
		name, want, code, message string
		data                      []byte
	}{
		{name: "png", data: pngHeader, want: "image/png"},
		{name: "jpeg", data: jpegHeader, want: "image/jpeg"},
		{name: "gif87a", data: gif87, want: "image/gif"},
		{name: "gif89a", data: gif89, want: "image/gif"},
		{name: "webp lossy", data: webpLossy, want: "image/webp"},
		{name: "webp lossless", data: webpVP8L, want: "image/webp"},
		{name: "webp extended", data: webpVP8X, want: "image/webp"},
		{name: "windows program named .png", data: windowsExe, code: domain.EUNSUPPORTED, message: "a Windows program"},
		{name: "linux program", data: []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"), code: domain.EUNSUPPORTED, message: "a Linux program"},
		{name: "text", data: []byte("hello, this is a log line\n"), code: domain.EUNSUPPORTED, message: "its content is text"},
		{name: "svg", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), code: domain.EUNSUPPORTED},
		{name: "bmp", data: []byte("BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00"), code: domain.EUNSUPPORTED, message: "image/bmp"},
		{name: "riff that is not webp", data: []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"), code: domain.EUNSUPPORTED},
		{name: "png magic cut short", data: []byte("\x89PNG\r\n"), code: domain.EUNSUPPORTED},
		{name: "empty", data: nil, code: domain.EINVALID, message: "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := domain.SniffImageType(tc.data)
			if tc.code == "" {
				if err != nil || got != tc.want {
					t.Fatalf("SniffImageType = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if domain.ErrorCode(err) != tc.code {
				t.Fatalf("SniffImageType = %q, %v; want code %s", got, err, tc.code)
			}
			if msg := domain.ErrorMessage(err); !strings.Contains(msg, tc.message) {
				t.Errorf("message %q lacks %q", msg, tc.message)
			}
		})
	}
}

func TestDecodeBase64Image(t *testing.T) {
	limits := domain.ImageLimits{MaxBytes: 30, MaxPixels: 1000}
	raw := []byte("\x89PNG\r\n\x1a\nsome image bytes!") // 25 bytes: padded base64
	std := base64.StdEncoding.EncodeToString(raw)
	tests := []struct {
		name, in, code, message string
	}{
		{name: "raw base64", in: std},
		{name: "data URL", in: "data:image/png;base64," + std},
		{name: "data URL declaring another type", in: "DATA:text/plain;BASE64," + std},
		{name: "line breaks", in: std[:10] + "\r\n" + std[10:20] + "\n " + std[20:]},
		{name: "unpadded", in: strings.TrimRight(std, "=")},
		{name: "not base64", in: "this is not base64!", code: domain.EINVALID, message: "not valid base64"},
		{name: "data URL without base64", in: "data:image/png," + std, code: domain.EINVALID, message: ";base64"},
		{name: "data URL without data", in: "data:image/png;base64", code: domain.EINVALID, message: "no data"},
		{name: "empty", in: "  ", code: domain.EINVALID, message: "empty"},
		{name: "decodes to one byte too many", in: base64.StdEncoding.EncodeToString(make([]byte, 31)), code: domain.ETOOLARGE, message: "30 bytes limit"},
		// Too long to be within the limit: refused by its length, before decoding (decoding
		// would have said it is not base64).
		{name: "huge text refused unread", in: strings.Repeat("!", 10_000), code: domain.ETOOLARGE},
		{name: "at the limit", in: base64.StdEncoding.EncodeToString(make([]byte, 30))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := domain.DecodeBase64Image(tc.in, limits)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("DecodeBase64Image: %v", err)
				}
				if tc.name != "at the limit" && !bytes.Equal(data, raw) {
					t.Fatalf("decoded %q, want %q", data, raw)
				}
				return
			}
			if domain.ErrorCode(err) != tc.code {
				t.Fatalf("DecodeBase64Image = %v, want code %s", err, tc.code)
			}
			if !strings.Contains(domain.ErrorMessage(err), tc.message) {
				t.Errorf("message %q lacks %q", domain.ErrorMessage(err), tc.message)
			}
		})
	}
	if n := domain.DefaultImageLimits.MaxBase64Len(); n != int64(base64.StdEncoding.EncodedLen(10<<20)) {
		t.Errorf("MaxBase64Len = %d, want %d", n, base64.StdEncoding.EncodedLen(10<<20))
	}
}

func TestCleanImageFileName(t *testing.T) {
	tests := []struct{ name, mime, want string }{
		{"screenshot.png", "image/png", "screenshot.png"},
		{"Screenshot.PNG", "image/png", "Screenshot.PNG"},
		{"photo.jpeg", "image/jpeg", "photo.jpeg"},
		{"photo.png", "image/jpeg", "photo.jpg"},
		{"setup.exe", "image/png", "setup.exe.png"},
		{"../../etc/passwd", "image/gif", "passwd.gif"},
		{`C:\Users\me\Desktop\shot.webp`, "image/webp", "shot.webp"},
		{"..\\..\\evil/<img src=x onerror=alert(1)>.png", "image/png", "<img src=x onerror=alert(1)>.png"},
		{"bell\x07and\x00nul\n.png", "image/png", "bellandnul.png"},
		{"bad\xffutf8.png", "image/png", "badutf8.png"},
		{"", "image/png", "image.png"},
		{"..", "image/png", "image.png"},
		{".png", "image/png", "image.png"},
		{"   ", "image/jpeg", "image.jpg"},
		{strings.Repeat("é", 300) + ".png", "image/png", strings.Repeat("é", 98) + ".png"},
	}
	for _, tc := range tests {
		if got := domain.CleanImageFileName(tc.name, tc.mime); got != tc.want {
			t.Errorf("CleanImageFileName(%q, %s) = %q, want %q", tc.name, tc.mime, got, tc.want)
		}
	}
}

func TestThumbnailSize(t *testing.T) {
	tests := []struct{ w, h, wantW, wantH int }{
		{1920, 1080, 320, 180},
		{640, 480, 320, 240},
		{320, 200, 320, 200},
		{100, 50, 100, 50},       // smaller originals are kept
		{300, 6000, 64, 1280},    // very tall: bounded by the height
		{100_000, 10, 320, 1},    // very wide: at least a pixel tall
		{1, 50_000_000, 1, 1280}, // a line of pixels
		{0, 10, 0, 0},            // no image
		{60000, 60000, 320, 320}, // square
		{1000, 3, 320, 1},        // rounding
		{1001, 1000, 320, 320},   // rounds to the nearest pixel
		{4000, 3000, 320, 240},   // 4:3 photo
		{1280, 20000, 82, 1280},  // a long screenshot
		{320, 1281, 320, 1280},   // just over the height box: width rounds back to 320
		{640, 2562, 320, 1280},   // both bounds, the height binding
	}
	for _, tc := range tests {
		w, h := domain.ThumbnailSize(tc.w, tc.h)
		if w != tc.wantW || h != tc.wantH {
			t.Errorf("ThumbnailSize(%d, %d) = %d × %d, want %d × %d", tc.w, tc.h, w, h, tc.wantW, tc.wantH)
		}
	}
}

// pngBytes encodes a w × h PNG with a gradient.
func pngBytes(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// pngBomb returns a tiny PNG whose header claims width × height pixels: a signature, an IHDR
// with those dimensions, a tiny IDAT and an IEND. It is enough for image.DecodeConfig, which is
// all a check before decoding may read.
func pngBomb(width, height uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01}) // zlib of one zero byte
	chunk("IEND", nil)
	return b.Bytes()
}

// stdThumbnailer reads headers with the standard library's decoders (PNG, JPEG, GIF) and makes
// fake thumbnails, counting how often it was asked to decode.
type stdThumbnailer struct{ decodes int }

func (t *stdThumbnailer) Dimensions(data []byte) (int, int, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, domain.Errorf(domain.EINVALID, "unreadable: %v", err)
	}
	return cfg.Width, cfg.Height, nil
}

func (t *stdThumbnailer) Thumbnail(data []byte) ([]byte, int, int, error) {
	t.decodes++
	w, h, err := t.Dimensions(data)
	if err != nil {
		return nil, 0, 0, err
	}
	tw, th := domain.ThumbnailSize(w, h)
	return []byte("\xff\xd8\xff thumbnail"), tw, th, nil
}

// memBlobs is a BlobStore in memory that can be told to fail.
type memBlobs struct {
	mu        sync.Mutex
	objects   map[string][]byte
	failPut   string // a key prefix whose Put fails
	failDel   bool
	deletions []string
}

func (m *memBlobs) Put(_ context.Context, key string, r io.Reader, _ int64, _ string) error {
	if m.failPut != "" && strings.HasPrefix(key, m.failPut) {
		return domain.Errorf(domain.EUNAVAILABLE, "File storage is unavailable.")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[key] = b
	return nil
}

func (m *memBlobs) Get(_ context.Context, key string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[key]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "The stored file is missing.")
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (m *memBlobs) Delete(_ context.Context, keys ...string) error {
	if m.failDel {
		return errors.New("store down")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.objects, k)
		m.deletions = append(m.deletions, k)
	}
	return nil
}

func (m *memBlobs) DeletePrefix(context.Context, string) error { return nil }

func (m *memBlobs) List(context.Context, string, time.Time, func(string) error) error { return nil }

// memImages is an ImageStore in memory that can be told to fail.
type memImages struct {
	rows    map[string]*domain.ImageAttachment
	failErr error
	seq     int
}

func (m *memImages) NewImageID() string {
	m.seq++
	return "0190a000-0000-7000-8000-00000000000" + string(rune('0'+m.seq))
}

func (m *memImages) CreateImage(_ context.Context, img *domain.ImageAttachment) error {
	if m.failErr != nil {
		return m.failErr
	}
	c := *img
	m.rows[img.ID] = &c
	return nil
}

func (m *memImages) FindImageByID(_ context.Context, id string) (*domain.ImageAttachment, error) {
	if img, ok := m.rows[id]; ok {
		return img, nil
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "Image not found.")
}

func (m *memImages) FindImages(context.Context, string) ([]*domain.ImageAttachment, error) {
	return nil, nil
}

func (m *memImages) FindAllImages(context.Context, domain.ImageFilter) ([]*domain.ImageAttachment, int, error) {
	return nil, 0, nil
}

func (m *memImages) DeleteImage(_ context.Context, id string) (*domain.ImageAttachment, error) {
	img, ok := m.rows[id]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "Image not found.")
	}
	delete(m.rows, id)
	return img, nil
}

// imageFixture is an ImageService over fakes, with contexts of each role.
type imageFixture struct {
	svc                       *domain.ImageService
	blobs                     *memBlobs
	rows                      *memImages
	thumbs                    *stdThumbnailer
	errs                      []error
	responder, viewer, nobody context.Context
}

const testIssueID = "0190a000-0000-7000-8000-0000000000aa"

func newImageFixture(limits domain.ImageLimits) *imageFixture {
	f := &imageFixture{
		blobs:  &memBlobs{objects: map[string][]byte{}},
		rows:   &memImages{rows: map[string]*domain.ImageAttachment{}},
		thumbs: &stdThumbnailer{},
	}
	f.svc = domain.NewImageService(f.rows, f.blobs, f.thumbs, limits)
	f.svc.Now = func() time.Time { return time.Date(2026, 3, 1, 9, 30, 15, 0, time.UTC) }
	f.svc.OnError = func(err error) { f.errs = append(f.errs, err) }
	f.responder = domain.NewContextWithUser(context.Background(), &domain.User{ID: "u1", Role: domain.RoleResponder})
	f.viewer = domain.NewContextWithUser(context.Background(), &domain.User{ID: "u2", Role: domain.RoleViewer})
	f.nobody = context.Background()
	return f
}

// wantNothingStored fails t when an object or a row was stored.
func (f *imageFixture) wantNothingStored(t *testing.T) {
	t.Helper()
	if len(f.blobs.objects) != 0 || len(f.rows.rows) != 0 {
		t.Errorf("stored %d objects and %d rows, want none", len(f.blobs.objects), len(f.rows.rows))
	}
}

func TestImageServiceUpload(t *testing.T) {
	shot := pngBytes(t, 640, 400)

	t.Run("stores the image, its thumbnail and the row", func(t *testing.T) {
		f := newImageFixture(domain.DefaultImageLimits)
		img, err := f.svc.Upload(f.responder, strings.ToUpper(testIssueID), domain.ImageUpload{
			FileName: `C:\shots\disk full.png`, Data: shot, PIIWarningAcknowledged: true})
		if err != nil {
			t.Fatal(err)
		}
		if img.IssueID != testIssueID || img.FileName != "disk full.png" || img.MimeType != "image/png" ||
			img.Width != 640 || img.Height != 400 || img.SizeBytes != int64(len(shot)) || img.IsPaste ||
			!img.PIIWarningAcknowledged || len(img.UploadHash) != 64 {
			t.Errorf("image = %+v", img)
		}
		if img.ObjectKey != domain.ImageObjectKey(testIssueID, img.ID) || img.ThumbnailKey != domain.ThumbnailObjectKey(testIssueID, img.ID) {
			t.Errorf("keys %q %q", img.ObjectKey, img.ThumbnailKey)
		}
		if !bytes.Equal(f.blobs.objects[img.ObjectKey], shot) || f.blobs.objects[img.ThumbnailKey] == nil {
			t.Error("image or thumbnail object missing")
		}
		if f.rows.rows[img.ID] == nil {
			t.Error("row missing")
		}
	})

	refusals := []struct {
		name    string
		limits  domain.ImageLimits
		ctx     func(*imageFixture) context.Context
		issueID string
		upload  domain.ImageUpload
		code    string
		message string
	}{
		{name: "acknowledgement required", upload: domain.ImageUpload{FileName: "a.png", Data: shot},
			code: domain.EINVALID, message: "cannot be redacted automatically"},
		{name: "viewer", ctx: func(f *imageFixture) context.Context { return f.viewer },
			upload: domain.ImageUpload{FileName: "a.png", Data: shot, PIIWarningAcknowledged: true}, code: domain.EFORBIDDEN},
		{name: "nobody signed in", ctx: func(f *imageFixture) context.Context { return f.nobody },
			upload: domain.ImageUpload{FileName: "a.png", Data: shot, PIIWarningAcknowledged: true}, code: domain.EUNAUTHORIZED},
		{name: "over the size limit", limits: domain.ImageLimits{MaxBytes: 1000, MaxPixels: 50_000_000},
			upload: domain.ImageUpload{FileName: "a.png", Data: shot, PIIWarningAcknowledged: true},
			code:   domain.ETOOLARGE, message: "larger than the 1000 bytes limit"},
		{name: "program named .png", upload: domain.ImageUpload{FileName: "holiday.png", Data: append(windowsExe, make([]byte, 500)...), PIIWarningAcknowledged: true},
			code: domain.EUNSUPPORTED, message: "not a PNG, JPEG, GIF or WebP image, whatever its name says: its content is a Windows program"},
		{name: "decompression bomb", upload: domain.ImageUpload{FileName: "bomb.png", Data: pngBomb(60000, 60000), PIIWarningAcknowledged: true},
			code: domain.ETOOLARGE, message: "60000 × 60000 pixels (3600 megapixels); the limit is 50 megapixels"},
		{name: "empty file", upload: domain.ImageUpload{FileName: "a.png", PIIWarningAcknowledged: true}, code: domain.EINVALID, message: "empty"},
		{name: "damaged header", upload: domain.ImageUpload{FileName: "a.png", Data: shot[:20], PIIWarningAcknowledged: true}, code: domain.EINVALID},
		{name: "malformed incident id", issueID: "../../etc", upload: domain.ImageUpload{FileName: "a.png", Data: shot, PIIWarningAcknowledged: true},
			code: domain.ENOTFOUND},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			limits := tc.limits
			if limits.MaxBytes == 0 {
				limits = domain.DefaultImageLimits
			}
			f := newImageFixture(limits)
			ctx := f.responder
			if tc.ctx != nil {
				ctx = tc.ctx(f)
			}
			issueID := tc.issueID
			if issueID == "" {
				issueID = testIssueID
			}
			_, err := f.svc.Upload(ctx, issueID, tc.upload)
			if domain.ErrorCode(err) != tc.code {
				t.Fatalf("Upload = %v, want code %s", err, tc.code)
			}
			if !strings.Contains(domain.ErrorMessage(err), tc.message) {
				t.Errorf("message %q lacks %q", domain.ErrorMessage(err), tc.message)
			}
			if f.thumbs.decodes != 0 {
				t.Error("the image was decoded before it was checked")
			}
			f.wantNothingStored(t)
		})
	}

	t.Run("a failed row removes the objects", func(t *testing.T) {
		f := newImageFixture(domain.DefaultImageLimits)
		f.rows.failErr = domain.Errorf(domain.ENOTFOUND, "Incident not found.")
		_, err := f.svc.Upload(f.responder, testIssueID, domain.ImageUpload{FileName: "a.png", Data: shot, PIIWarningAcknowledged: true})
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("Upload = %v, want the row's error", err)
		}
		f.wantNothingStored(t)
		if len(f.blobs.deletions) != 2 {
			t.Errorf("deleted %v, want the image and its thumbnail", f.blobs.deletions)
		}
	})

	t.Run("a failed thumbnail store removes the image", func(t *testing.T) {
		f := newImageFixture(domain.DefaultImageLimits)
		f.blobs.failPut = "thumbs/"
		_, err := f.svc.Upload(f.responder, testIssueID, domain.ImageUpload{FileName: "a.png", Data: shot, PIIWarningAcknowledged: true})
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Fatalf("Upload = %v, want EUNAVAILABLE", err)
		}
		f.wantNothingStored(t)
	})
}

func TestImageServiceUploadPaste(t *testing.T) {
	shot := pngBytes(t, 50, 40)

	t.Run("a data URL becomes a pasted image named by the time", func(t *testing.T) {
		f := newImageFixture(domain.DefaultImageLimits)
		img, err := f.svc.UploadPaste(f.responder, testIssueID, domain.ImagePaste{
			Base64Data: "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(shot), PIIWarningAcknowledged: true})
		if err != nil {
			t.Fatal(err)
		}
		if !img.IsPaste || img.FileName != "pasted-image-20260301-093015.png" || img.MimeType != "image/png" {
			t.Errorf("pasted image = %+v", img)
		}
	})
	t.Run("a given name is kept, with the real type's extension", func(t *testing.T) {
		f := newImageFixture(domain.DefaultImageLimits)
		img, err := f.svc.UploadPaste(f.responder, testIssueID, domain.ImagePaste{
			Base64Data: base64.StdEncoding.EncodeToString(shot), FileName: "graph.jpg", PIIWarningAcknowledged: true})
		if err != nil || img.FileName != "graph.png" || !img.IsPaste {
			t.Fatalf("UploadPaste = %+v, %v", img, err)
		}
	})

	refusals := []struct {
		name          string
		limits        domain.ImageLimits
		paste         domain.ImagePaste
		code, message string
	}{
		{name: "not base64", paste: domain.ImagePaste{Base64Data: "%%% not base64 %%%", PIIWarningAcknowledged: true},
			code: domain.EINVALID, message: "not valid base64"},
		{name: "acknowledgement required", paste: domain.ImagePaste{Base64Data: base64.StdEncoding.EncodeToString(shot)},
			code: domain.EINVALID, message: "cannot be redacted automatically"},
		{name: "decoded size over the limit", limits: domain.ImageLimits{MaxBytes: 100, MaxPixels: 1e6},
			paste: domain.ImagePaste{Base64Data: base64.StdEncoding.EncodeToString(shot), PIIWarningAcknowledged: true},
			code:  domain.ETOOLARGE, message: "100 bytes limit"},
		{name: "base64 of a program", paste: domain.ImagePaste{Base64Data: base64.StdEncoding.EncodeToString(windowsExe), PIIWarningAcknowledged: true},
			code: domain.EUNSUPPORTED},
		{name: "base64 of a bomb", paste: domain.ImagePaste{Base64Data: base64.StdEncoding.EncodeToString(pngBomb(60000, 60000)), PIIWarningAcknowledged: true},
			code: domain.ETOOLARGE, message: "megapixels"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			limits := tc.limits
			if limits.MaxBytes == 0 {
				limits = domain.DefaultImageLimits
			}
			f := newImageFixture(limits)
			_, err := f.svc.UploadPaste(f.responder, testIssueID, tc.paste)
			if domain.ErrorCode(err) != tc.code || !strings.Contains(domain.ErrorMessage(err), tc.message) {
				t.Fatalf("UploadPaste = %v, want %s with %q", err, tc.code, tc.message)
			}
			f.wantNothingStored(t)
		})
	}
}

func TestImageServiceReadAndDelete(t *testing.T) {
	f := newImageFixture(domain.DefaultImageLimits)
	shot := pngBytes(t, 20, 10)
	img, err := f.svc.Upload(f.responder, testIssueID, domain.ImageUpload{FileName: "a.png", Data: shot, PIIWarningAcknowledged: true})
	if err != nil {
		t.Fatal(err)
	}

	url, err := f.svc.ImageDataURL(f.viewer, img.ID)
	if err != nil || url != "data:image/png;base64,"+base64.StdEncoding.EncodeToString(shot) {
		t.Errorf("ImageDataURL = %.60q…, %v", url, err)
	}
	if _, err := f.svc.FindImage(f.nobody, img.ID); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Errorf("FindImage signed out = %v, want EUNAUTHORIZED", err)
	}
	if _, err := f.svc.Delete(f.viewer, img.ID); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Errorf("Delete by a viewer = %v, want EFORBIDDEN", err)
	}

	f.blobs.failDel = true
	if _, err := f.svc.Delete(f.responder, img.ID); err != nil {
		t.Fatalf("Delete with the store down = %v, want success (the sweeper removes the objects)", err)
	}
	if len(f.rows.rows) != 0 || len(f.errs) != 1 {
		t.Errorf("after delete: %d rows, errors reported %v", len(f.rows.rows), f.errs)
	}
	if _, err := f.svc.Delete(f.responder, img.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("second Delete = %v, want ENOTFOUND", err)
	}
}
