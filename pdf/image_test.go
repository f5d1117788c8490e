package pdf_test

import (
	"image"
	"image/color"
)

// imageRGBA returns a w×h image filled with c.
func imageRGBA(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, c)
		}
	}
	return img
}
