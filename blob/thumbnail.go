package blob

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // registers GIF with image.Decode
	"image/jpeg"
	_ "image/png" // registers PNG with image.Decode

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers WebP with image.Decode

	"tftsr/domain"
)

var _ domain.Thumbnailer = (*Thumbnailer)(nil)

// Thumbnailer reads PNG, JPEG, GIF and WebP images and makes their thumbnails: JPEGs of
// domain.ThumbnailSize, drawn on white so that transparency stays readable. Decoding a large
// image takes memory (4 bytes a pixel), so at most a few decode at once and images over
// MaxPixels are refused before they are decoded.
type Thumbnailer struct {
	// MaxPixels bounds width × height of an image to decode; domain.DefaultImageLimits when 0.
	MaxPixels int64
	// Quality is the JPEG quality, 1 to 100; 85 when 0.
	Quality int
	sem     chan struct{}
}

// NewThumbnailer returns a Thumbnailer that decodes at most concurrency images at once.
func NewThumbnailer(concurrency int) *Thumbnailer {
	return &Thumbnailer{sem: make(chan struct{}, max(1, concurrency))}
}

// Dimensions returns an image's width and height from its header alone.
func (t *Thumbnailer) Dimensions(data []byte) (int, int, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, unreadable(err)
	}
	return cfg.Width, cfg.Height, nil
}

// Thumbnail decodes an image and returns its thumbnail as a JPEG, with the thumbnail's size.
// Animated images give their first frame.
func (t *Thumbnailer) Thumbnail(data []byte) ([]byte, int, int, error) {
	w, h, err := t.Dimensions(data)
	if err != nil {
		return nil, 0, 0, err
	}
	maxPixels := t.MaxPixels
	if maxPixels == 0 {
		maxPixels = domain.DefaultImageLimits.MaxPixels
	}
	if int64(w)*int64(h) > maxPixels || w <= 0 || h <= 0 {
		return nil, 0, 0, domain.Errorf(domain.ETOOLARGE, "The image is %d × %d pixels, too large to make a thumbnail of.", w, h)
	}
	if t.sem != nil {
		t.sem <- struct{}{}
		defer func() { <-t.sem }()
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, unreadable(err)
	}
	sb := src.Bounds()
	tw, th := domain.ThumbnailSize(sb.Dx(), sb.Dy())
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	switch {
	case tw == sb.Dx() && th == sb.Dy():
		draw.Draw(dst, dst.Bounds(), src, sb.Min, draw.Over)
	case sb.Dx() > prescale*tw && sb.Dy() > prescale*th:
		// Catmull-Rom over tens of megapixels takes seconds: shrink cheaply to a few times the
		// thumbnail's size first, and let Catmull-Rom smooth the last step.
		mid := image.NewRGBA(image.Rect(0, 0, prescale*tw, prescale*th))
		draw.ApproxBiLinear.Scale(mid, mid.Bounds(), src, sb, draw.Src, nil)
		draw.CatmullRom.Scale(dst, dst.Bounds(), mid, mid.Bounds(), draw.Over, nil)
	default:
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, sb, draw.Over, nil)
	}
	quality := t.Quality
	if quality == 0 {
		quality = 85
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: quality}); err != nil {
		return nil, 0, 0, fmt.Errorf("encoding thumbnail: %w", err)
	}
	return buf.Bytes(), tw, th, nil
}

// prescale is how many times the thumbnail's size a large image is first shrunk to.
const prescale = 4

// unreadable reports an image the decoders cannot read as EINVALID, keeping the cause for the log.
func unreadable(err error) error {
	return fmt.Errorf("%w: %v", domain.Errorf(domain.EINVALID, "The image could not be read: the file may be damaged or incomplete."), err)
}
