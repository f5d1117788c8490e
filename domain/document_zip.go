package domain

import (
	"archive/zip"
	"bytes"
	"context"
	"path"
	"strings"
	"time"
)

// ExportZip is the format of a Markdown export whose document shows images: a zip.
const ExportZip = "zip"

// markdownZipName is the name of the Markdown file inside a Markdown export's zip.
const markdownZipName = "document.md"

// extensionOf maps the image types the portal accepts to a file extension.
var extensionOf = map[string]string{
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
}

// referencedImages returns the images of an incident that the Markdown links to by their portal
// URL (ImageURL), in the incident's order. Images of other incidents are never among them.
func referencedImages(md string, imgs []*ImageAttachment) []*ImageAttachment {
	var out []*ImageAttachment
	for _, img := range imgs {
		u := ImageURL(img.ID)
		if strings.Contains(md, "("+u+")") || strings.Contains(md, "("+u+" ") {
			out = append(out, img)
		}
	}
	return out
}

// zipImageName is a safe, portable name in a zip for an image: the base of its file name with
// only ASCII letters, digits, dots, hyphens and underscores kept (others become "_"), no leading
// dot, at most 80 bytes, and the extension of its type. taken holds the names already used, in
// lower case; a clash gets "-2", "-3"… before the extension.
func zipImageName(img *ImageAttachment, taken map[string]bool) string {
	ext := extensionOf[img.MimeType]
	if ext == "" {
		ext = ".bin"
	}
	base := SafeFileName(img.FileName, "image")
	base = strings.TrimSuffix(base, path.Ext(base))
	base = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, base)
	base = strings.TrimLeft(base, "._")
	if len(base) > 80 {
		base = base[:80]
	}
	if base == "" {
		base = "image"
	}
	name := base + ext
	for n := 2; taken[strings.ToLower(name)]; n++ {
		name = base + "-" + itoa(n) + ext
	}
	taken[strings.ToLower(name)] = true
	return name
}

// markdownZip packs md and the images it shows into a zip: document.md, with each image link
// rewritten to the relative path images/<name>, and the image files beside it. read returns an
// image's bytes.
func markdownZip(ctx context.Context, md string, imgs []*ImageAttachment, modified time.Time,
	read func(context.Context, *ImageAttachment) ([]byte, error)) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	taken := map[string]bool{}
	files := make([][2]string, 0, len(imgs))
	for _, img := range imgs {
		rel := "images/" + zipImageName(img, taken)
		u := ImageURL(img.ID)
		md = strings.ReplaceAll(md, "("+u+")", "("+rel+")")
		md = strings.ReplaceAll(md, "("+u+" ", "("+rel+" ")
		files = append(files, [2]string{img.ID, rel})
	}
	add := func(name string, data []byte, method uint16) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: modified})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if err := add(markdownZipName, []byte(md), zip.Deflate); err != nil {
		return nil, err
	}
	for i, img := range imgs {
		data, err := read(ctx, img)
		if err != nil {
			return nil, err
		}
		// Images are compressed already.
		if err := add(files[i][1], data, zip.Store); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
