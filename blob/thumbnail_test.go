package blob_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"tftsr/blob"
	"tftsr/domain"
)

// testImage returns a w × h image with a gradient; with transparent set, its left half is fully
// transparent.
func testImage(w, h int, transparent bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			a := uint8(255)
			if transparent && x < w/2 {
				a = 0
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, a})
		}
	}
	return img
}

func encodePNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encodeGIF(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, &gif.Options{NumColors: 256}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestThumbnailer(t *testing.T) {
	th := blob.NewThumbnailer(2)
	tests := []struct {
		name           string
		data           []byte
		mime           string
		w, h           int // the original's size
		thumbW, thumbH int
	}{
		{name: "png", data: encodePNG(t, testImage(800, 500, false)), mime: "image/png", w: 800, h: 500, thumbW: 320, thumbH: 200},
		{name: "jpeg", data: encodeJPEG(t, testImage(1024, 768, false)), mime: "image/jpeg", w: 1024, h: 768, thumbW: 320, thumbH: 240},
		{name: "gif", data: encodeGIF(t, testImage(640, 360, false)), mime: "image/gif", w: 640, h: 360, thumbW: 320, thumbH: 180},
		{name: "webp lossy with alpha", data: readTestdata(t, "yellow_rose.lossy-with-alpha.webp"), mime: "image/webp", w: 400, h: 301, thumbW: 320, thumbH: 241},
		{name: "small webp kept at its size", data: readTestdata(t, "blue-purple-pink.lossy.webp"), mime: "image/webp", w: 150, h: 100, thumbW: 150, thumbH: 100},
		{name: "small png kept at its size", data: encodePNG(t, testImage(120, 90, false)), mime: "image/png", w: 120, h: 90, thumbW: 120, thumbH: 90},
		{name: "paletted png", data: encodePNG(t, paletted(700, 350)), mime: "image/png", w: 700, h: 350, thumbW: 320, thumbH: 160},
		{name: "tall screenshot", data: encodePNG(t, testImage(400, 4000, false)), mime: "image/png", w: 400, h: 4000, thumbW: 128, thumbH: 1280},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := domain.SniffImageType(tc.data); err != nil || got != tc.mime {
				t.Fatalf("SniffImageType = %q, %v; want %s", got, err, tc.mime)
			}
			w, h, err := th.Dimensions(tc.data)
			if err != nil || w != tc.w || h != tc.h {
				t.Fatalf("Dimensions = %d × %d, %v; want %d × %d", w, h, err, tc.w, tc.h)
			}
			thumb, tw, thh, err := th.Thumbnail(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if tw != tc.thumbW || thh != tc.thumbH {
				t.Errorf("Thumbnail size %d × %d, want %d × %d", tw, thh, tc.thumbW, tc.thumbH)
			}
			if got, err := domain.SniffImageType(thumb); err != nil || got != "image/jpeg" {
				t.Fatalf("thumbnail is %q (%v), want a JPEG", got, err)
			}
			decoded, err := jpeg.Decode(bytes.NewReader(thumb))
			if err != nil {
				t.Fatalf("thumbnail does not decode as JPEG: %v", err)
			}
			if b := decoded.Bounds(); b.Dx() != tc.thumbW || b.Dy() != tc.thumbH {
				t.Errorf("decoded thumbnail %d × %d, want %d × %d", b.Dx(), b.Dy(), tc.thumbW, tc.thumbH)
			}
			// The aspect is kept to within a pixel of rounding.
			if d := float64(tc.thumbW)/float64(tc.thumbH) - float64(tc.w)/float64(tc.h); d*float64(tc.thumbH) > 1 || d*float64(tc.thumbH) < -1 {
				t.Errorf("aspect %d:%d differs from the original's %d:%d", tc.thumbW, tc.thumbH, tc.w, tc.h)
			}
		})
	}
}

// paletted returns a w × h paletted image.
func paletted(w, h int) *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetColorIndex(x, y, uint8((x/10+y/10)%256))
		}
	}
	return img
}

func TestThumbnailTransparencyOnWhite(t *testing.T) {
	thumb, _, _, err := blob.NewThumbnailer(1).Thumbnail(encodePNG(t, testImage(640, 200, true)))
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(thumb))
	if err != nil {
		t.Fatal(err)
	}
	r, g, b, _ := img.At(20, 50).RGBA()
	if r>>8 < 245 || g>>8 < 245 || b>>8 < 245 {
		t.Errorf("transparent area is (%d, %d, %d), want white", r>>8, g>>8, b>>8)
	}
}

// pngBomb returns a tiny PNG whose header claims width × height pixels.
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
	ihdr[8], ihdr[9] = 8, 2
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

func TestThumbnailerRefusals(t *testing.T) {
	th := blob.NewThumbnailer(1)
	bomb := pngBomb(60000, 60000)
	w, h, err := th.Dimensions(bomb)
	if err != nil || w != 60000 || h != 60000 {
		t.Fatalf("Dimensions of the bomb = %d × %d, %v; want its header's 60000 × 60000", w, h, err)
	}
	if _, _, _, err := th.Thumbnail(bomb); domain.ErrorCode(err) != domain.ETOOLARGE {
		t.Errorf("Thumbnail of a 3600-megapixel header = %v, want ETOOLARGE without decoding", err)
	}

	good := encodePNG(t, testImage(100, 100, false))
	for name, data := range map[string][]byte{
		"truncated png":   good[:len(good)/2],
		"png header only": good[:40],
		"garbage":         []byte(strings.Repeat("not an image ", 10)),
	} {
		if _, _, _, err := th.Thumbnail(data); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: Thumbnail = %v, want EINVALID", name, err)
		} else if !strings.Contains(domain.ErrorMessage(err), "could not be read") {
			t.Errorf("%s: message %q", name, domain.ErrorMessage(err))
		}
	}
}

// BenchmarkThumbnail measures a thumbnail of a large photo-sized image.
func BenchmarkThumbnail(b *testing.B) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"12MP-jpeg", 4000, 3000}, {"49MP-jpeg", 7000, 7000}} {
		data := encodeJPEG(b, testImage(size.w, size.h, false))
		th := blob.NewThumbnailer(1)
		b.Run(size.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, _, err := th.Thumbnail(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
