package handlers_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"tftsr/domain"
)

// TestMarkdownExportZipsImages exports a document that shows images: the Markdown export is a
// zip of document.md and the incident's images it shows, linked by relative path under safe
// names; an image of another incident is neither packed nor rewritten; a document without
// images stays a plain .md.
func TestMarkdownExportZipsImages(t *testing.T) {
	p := newImagePortal(t, domain.ImageLimits{})
	anon := p.anonymous(t)
	rita := p.token(t, "rita")
	issueID := p.createIssue(t, anon, rita, "Disk full")
	otherID := p.createIssue(t, anon, rita, "Another incident")
	upload := func(issue, name string, data []byte) string {
		r := anon.uploadAPI(issue, rita, map[string]string{"pii_warning_acknowledged": "true"}, name, data)
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", name, r.StatusCode, r.Body)
		}
		var img domain.ImageAttachment
		_ = json.Unmarshal([]byte(r.Body), &img)
		return img.ID
	}
	shot, same := pngImage(t, 40, 30, true), pngImage(t, 20, 20, false)
	hostile := upload(issueID, `..\..\<b>evil</b> "shot".png`, shot)
	twin := upload(issueID, `<b>evil</b> "shot".png`, same)
	foreign := upload(otherID, "foreign.png", pngImage(t, 10, 10, false))

	r := anon.api(http.MethodPost, "/api/v1/issues/"+issueID+"/documents", rita, map[string]any{"kind": "rca"})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("generate: %d %s", r.StatusCode, r.Body)
	}
	var doc domain.Document
	_ = json.Unmarshal([]byte(r.Body), &doc)
	export := func() *response {
		return anon.api(http.MethodGet, "/api/v1/documents/"+doc.ID+"/export?format=md", rita, nil)
	}
	save := func(md string) {
		cur := anon.api(http.MethodGet, "/api/v1/documents/"+doc.ID, rita, nil)
		var d domain.Document
		_ = json.Unmarshal([]byte(cur.Body), &d)
		if r := anon.api(http.MethodPut, "/api/v1/documents/"+doc.ID, rita, map[string]any{"content_md": md, "base_version": d.CurrentVersion}); r.StatusCode != http.StatusOK {
			t.Fatalf("save: %d %s", r.StatusCode, r.Body)
		}
	}

	save("# RCA\n\nNo pictures, only a link to [another](/images/" + foreign + ").\n")
	if r := export(); r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/markdown") ||
		!strings.Contains(r.Header.Get("Content-Disposition"), ".md") {
		t.Fatalf("export without images: %d %s %s", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
	}

	md := "# RCA\n\n![the disk](/images/" + hostile + ")\n\n![again](/images/" + twin + " \"title\")\n\n![foreign](/images/" + foreign + ")\n"
	save(md)
	r = export()
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "application/zip" || !strings.Contains(r.Header.Get("Content-Disposition"), ".zip") {
		t.Fatalf("export with images: %d %s %s", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = b
		names = append(names, f.Name)
	}
	sort.Strings(names)
	want := []string{"document.md", "images/b___shot_-2.png", "images/b___shot_.png"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("zip holds %q, want %q", names, want)
	}
	if !bytes.Equal(files["images/b___shot_.png"], shot) || !bytes.Equal(files["images/b___shot_-2.png"], same) {
		t.Errorf("the images in the zip are not the uploaded bytes")
	}
	wantMD := "# RCA\n\n![the disk](images/b___shot_.png)\n\n![again](images/b___shot_-2.png \"title\")\n\n![foreign](/images/" + foreign + ")\n"
	if got := string(files["document.md"]); got != wantMD {
		t.Errorf("document.md:\n%s\nwant:\n%s", got, wantMD)
	}
}
