package pdf_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tftsr/domain"
	"tftsr/pdf"
)

// chromePath returns TEST_CHROME_PATH, and skips the test when it is unset, or fails it when
// TFTSR_REQUIRE_INTEGRATION=1.
func chromePath(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv("TEST_CHROME_PATH")
	if path == "" {
		if os.Getenv("TFTSR_REQUIRE_INTEGRATION") == "1" {
			tb.Fatal("TEST_CHROME_PATH is not set")
		}
		tb.Skip("TEST_CHROME_PATH is not set; run `make test` to install Chromium")
	}
	for _, tool := range []string{"pdftotext", "pdfinfo", "pdffonts", "pdfimages", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Fatalf("%s is missing (Debian package poppler-utils): %v", tool, err)
		}
	}
	return path
}

// mustRenderer returns a started Renderer that the test closes.
func mustRenderer(tb testing.TB) *pdf.Renderer {
	tb.Helper()
	r := pdf.New(pdf.Config{ChromePath: chromePath(tb), MaxTabs: 2, Timeout: 60 * time.Second})
	tb.Cleanup(func() {
		if err := r.Close(); err != nil {
			tb.Error(err)
		}
	})
	return r
}

// testDoc returns a post-mortem with the Markdown md.
func testDoc(md string) domain.PrintableDocument {
	resolved := time.Date(2024, 5, 14, 10, 47, 0, 0, time.UTC)
	return domain.PrintableDocument{
		Title:         "Post-mortem: Checkout latency spike",
		IncidentTitle: "Checkout latency spike",
		Severity:      domain.SeverityHigh,
		Status:        domain.StatusResolved,
		Kind:          "postmortem",
		Version:       3,
		OpenedAt:      time.Date(2024, 5, 14, 9, 12, 0, 0, time.UTC),
		ResolvedAt:    &resolved,
		GeneratedAt:   time.Date(2024, 5, 15, 8, 0, 0, 0, time.UTC),
		Authors:       []string{"Ada Lovelace", "Grace Hopper"},
		Markdown:      md,
		Paper:         domain.PaperA4,
	}
}

// render renders doc and writes the PDF into the test's temp dir.
func render(t *testing.T, r *pdf.Renderer, doc domain.PrintableDocument) string {
	t.Helper()
	buf, err := r.RenderPDF(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", buf[:min(len(buf), 20)])
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tool runs a poppler tool and returns its standard output.
func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// pageText returns the text of page n of the PDF at path.
func pageText(t *testing.T, path string, n int) string {
	t.Helper()
	return tool(t, "pdftotext", "-layout", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), path, "-")
}

// info returns the fields of pdfinfo for the PDF at path.
func info(t *testing.T, path string) map[string]string {
	t.Helper()
	fields := map[string]string{}
	for line := range strings.SplitSeq(tool(t, "pdfinfo", path), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	return fields
}

// pages returns the page count of the PDF at path.
func pages(t *testing.T, path string) int {
	t.Helper()
	n, err := strconv.Atoi(info(t, path)["Pages"])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// assertInOrder fails unless text holds each of words, in that order.
func assertInOrder(t *testing.T, text string, words ...string) {
	t.Helper()
	at := 0
	for _, w := range words {
		i := strings.Index(text[at:], w)
		if i < 0 {
			t.Errorf("%q is missing after offset %d of:\n%s", w, at, text)
			return
		}
		at += i + len(w)
	}
}

// assertFooters fails unless every page of the PDF at path has the footer "Page N of M".
func assertFooters(t *testing.T, path string) {
	t.Helper()
	n := pages(t, path)
	for i := 1; i <= n; i++ {
		want := fmt.Sprintf("Page %d of %d", i, n)
		if text := pageText(t, path, i); !strings.Contains(text, want) {
			t.Errorf("page %d lacks %q:\n%s", i, want, text)
		}
	}
}

// screenshot renders page 1 of the PDF at path to a PNG in dir, copies it to
// TFTSR_SCREENSHOT_DIR when set, and returns its path.
func screenshot(t *testing.T, path, dir, name string) string {
	t.Helper()
	tool(t, "pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", path, filepath.Join(dir, name))
	png := filepath.Join(dir, name+".png")
	if shots := os.Getenv("TFTSR_SCREENSHOT_DIR"); shots != "" {
		data, err := os.ReadFile(png)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return png
}

func TestRenderPDF(t *testing.T) {
	r := mustRenderer(t)
	postmortem, err := os.ReadFile("testdata/postmortem.md")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("post-mortem reads in order with title block and footer", func(t *testing.T) {
		path := render(t, r, testDoc(string(postmortem)))
		text := tool(t, "pdftotext", "-layout", path, "-")
		assertInOrder(t, text,
			"Post-mortem: Checkout latency spike", // running header
			"BLAMELESS POST-MORTEM", "Post-mortem: Checkout latency spike", "Incident: Checkout latency spike",
			"HIGH", "Resolved", "v3", "2024-05-14 09:12 UTC", "2024-05-14 10:47 UTC", "Ada Lovelace, Grace Hopper",
			"CONTENTS", "Executive Summary", "Impact", "Timeline", // the table of contents has two columns
			"Between 09:12 and 10:47 UTC", "Impact", "Metric", "Value", "Target", "Duration", "1h 35m", "Failed checkouts", "4,812",
			"Timeline", "Time (UTC)", "Event", "2024-05-14 09:05", "pool-size-40",
			"5 Whys", "pool: timeout acquiring connection", "Action Items", "Roll back", "runbook")
		if strings.Count(text, "Post-mortem: Checkout latency spike") < 2 {
			t.Errorf("the title should be in the header and in the title block, once each:\n%s", text)
		}
		if strings.Contains(text, "# Post-mortem") {
			t.Error("the Markdown heading was printed raw")
		}
		assertFooters(t, path)
		png := screenshot(t, path, t.TempDir(), "postmortem-page1")
		t.Logf("page 1: %s", png)
	})

	t.Run("paper sizes", func(t *testing.T) {
		for paper, want := range map[domain.PaperSize]*regexp.Regexp{
			domain.PaperA4:     regexp.MustCompile(`^595\.\d+ x 841\.\d+ pts \(A4\)$`),
			domain.PaperLetter: regexp.MustCompile(`^612 x 792 pts \(letter\)$`),
		} {
			doc := testDoc(string(postmortem))
			doc.Paper = paper
			if got := info(t, render(t, r, doc))["Page size"]; !want.MatchString(got) {
				t.Errorf("%s: page size %q, want %q", paper, got, want)
			}
		}
	})

	t.Run("long documents grow page by page", func(t *testing.T) {
		var md strings.Builder
		last := 0
		for _, n := range []int{1, 30, 60, 120} {
			md.Reset()
			md.WriteString("## Narrative\n\n")
			for i := range n {
				fmt.Fprintf(&md, "Paragraph %03d. The on-call engineer checked the dashboards, the pool metrics and "+
					"the deploy log, then wrote down what they saw and what they ruled out before moving on.\n\n", i)
			}
			path := render(t, r, testDoc(md.String()))
			got := pages(t, path)
			if n == 1 && got != 1 {
				t.Errorf("%d paragraphs: %d pages, want 1", n, got)
			}
			if got < last || (n >= 60 && got <= last) {
				t.Errorf("%d paragraphs: %d pages after %d", n, got, last)
			}
			if n >= 60 && got < 2 {
				t.Errorf("%d paragraphs: %d pages, want several", n, got)
			}
			last = got
			assertFooters(t, path)
			// Every paragraph is printed once, in order.
			var all strings.Builder
			for p := 1; p <= got; p++ {
				all.WriteString(pageText(t, path, p))
			}
			words := make([]string, n)
			for i := range n {
				words[i] = fmt.Sprintf("Paragraph %03d.", i)
			}
			assertInOrder(t, all.String(), words...)
		}
	})

	t.Run("long tables repeat their header row on every page", func(t *testing.T) {
		var md strings.Builder
		md.WriteString("## Affected requests\n\n| Request ID | Endpoint | Status Code |\n| --- | --- | ---: |\n")
		for i := range 300 {
			fmt.Fprintf(&md, "| req-%04d | /api/v1/payments/authorize | 504 |\n", i)
		}
		path := render(t, r, testDoc(md.String()))
		n := pages(t, path)
		if n < 4 {
			t.Fatalf("300 rows on %d pages", n)
		}
		seen := 0
		for p := 1; p <= n; p++ {
			text := pageText(t, path, p)
			if !strings.Contains(text, "Request ID") || !strings.Contains(text, "Status Code") {
				t.Errorf("page %d lacks the header row:\n%s", p, text)
			}
			for _, m := range regexp.MustCompile(`req-(\d{4})`).FindAllStringSubmatch(text, -1) {
				if got, _ := strconv.Atoi(m[1]); got != seen {
					t.Fatalf("page %d: row %d after row %d", p, got, seen-1)
				}
				seen++
			}
		}
		if seen != 300 {
			t.Errorf("%d rows printed, want 300", seen)
		}
		assertFooters(t, path)
	})

	t.Run("embedded images render and remote ones are not fetched", func(t *testing.T) {
		var requests atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			requests.Add(1)
		}))
		defer srv.Close()
		doc := testDoc("## Evidence\n\n![Latency graph](/images/graph)\n\n![Remote chart](" + srv.URL + "/chart.png)\n\n" +
			"[![Linked](" + srv.URL + "/linked.png)](" + srv.URL + ")\n")
		doc.Images = map[string]domain.PrintImage{"/images/graph": {MimeType: "image/png", Data: testPNG(t)}}
		path := render(t, r, doc)
		list := tool(t, "pdfimages", "-list", path)
		if lines := strings.Split(strings.TrimSpace(list), "\n"); len(lines) != 3 { // two header lines and one image
			t.Errorf("pdfimages -list shows %d images, want 1:\n%s", len(lines)-2, list)
		}
		text := pageText(t, path, 1)
		assertInOrder(t, text, "Evidence", "Remote chart", "Linked")
		if n := requests.Load(); n != 0 {
			t.Errorf("%d requests to the remote image server", n)
		}
		dir := t.TempDir()
		if !hasColour(t, screenshot(t, path, dir, "image-page1"), color.RGBA{R: 0xd0, G: 0x30, B: 0x30, A: 0xff}) {
			t.Error("the embedded red image is not on page 1")
		}
	})

	t.Run("scripts in the Markdown do not run", func(t *testing.T) {
		var requests atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			requests.Add(1)
		}))
		defer srv.Close()
		// The script's effect, "SCRIPTRAN", is not in its source: the source is printed as text.
		md := "## Notes\n\n<script>document.title='pwned'; document.body.innerHTML='SCRIPT'+'RAN';</script>\n\n" +
			"Inline <img src=x onerror=\"fetch('" + srv.URL + "/onerror')\"> and <iframe src=\"" + srv.URL + "/frame\"></iframe>\n\n" +
			"<style>body{background:url(" + srv.URL + "/css)}</style>\n\n" +
			"[click](javascript:alert(1)) and <a href=\"" + srv.URL + "\" onclick=\"x()\">a link</a>\n\nThe end.\n"
		doc := testDoc(md)
		doc.Title = `<script>document.title='x'</script> & "quotes"`
		path := render(t, r, doc)
		text := tool(t, "pdftotext", "-layout", path, "-")
		if strings.Contains(text, "SCRIPTRAN") {
			t.Errorf("the script ran:\n%s", text)
		}
		assertInOrder(t, text, `<script>document.title='x'</script> & "quotes"`, "Notes",
			"<script>document.title='pwned';", "Inline <img src=x onerror=", "The end.")
		if n := requests.Load(); n != 0 {
			t.Errorf("%d requests to the loopback server", n)
		}
	})

	t.Run("fonts are embedded", func(t *testing.T) {
		out := tool(t, "pdffonts", render(t, r, testDoc(string(postmortem))))
		lines := strings.Split(strings.TrimSpace(out), "\n")[2:]
		if len(lines) == 0 {
			t.Fatal("no fonts")
		}
		for _, line := range lines {
			// name type encoding emb sub uni object ID
			f := strings.Fields(line)
			if len(f) < 5 || f[len(f)-5] != "yes" {
				t.Errorf("font not embedded: %s", line)
			}
		}
		if !strings.Contains(out, "DejaVuSans") {
			t.Errorf("DejaVu Sans is not used:\n%s", out)
		}
	})
}

func TestRenderPDFRestartsAfterCrash(t *testing.T) {
	r := mustRenderer(t)
	doc := testDoc("## First\n\nHello.\n")
	if _, err := r.RenderPDF(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	first := pdf.BrowserProcess(r)
	if first == nil {
		t.Fatal("no browser process")
	}
	if err := first.Kill(); err != nil {
		t.Fatal(err)
	}
	doc.Markdown = "## Second\n\nStill here.\n"
	buf, err := r.RenderPDF(context.Background(), doc)
	if err != nil {
		t.Fatalf("render after the browser was killed: %v", err)
	}
	path := filepath.Join(t.TempDir(), "second.pdf")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	if text := pageText(t, path, 1); !strings.Contains(text, "Still here.") {
		t.Errorf("second PDF:\n%s", text)
	}
	if second := pdf.BrowserProcess(r); second == nil || second.Pid == first.Pid {
		t.Errorf("the browser was not restarted: %v then %v", first, second)
	}
}

func TestRenderPDFErrors(t *testing.T) {
	t.Run("a missing browser is unavailable", func(t *testing.T) {
		r := pdf.New(pdf.Config{ChromePath: filepath.Join(t.TempDir(), "no-chromium"), Timeout: 10 * time.Second})
		defer r.Close()
		_, err := r.RenderPDF(context.Background(), testDoc("hello"))
		if domain.ErrorCode(err) != domain.EUNAVAILABLE ||
			domain.ErrorMessage(err) != "PDF export is unavailable: the browser could not start" {
			t.Errorf("got %v", err)
		}
	})
	t.Run("a closed renderer is unavailable", func(t *testing.T) {
		r := mustRenderer(t)
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := r.RenderPDF(context.Background(), testDoc("hello")); domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("got %v", err)
		}
	})
	t.Run("a cancelled context returns its error", func(t *testing.T) {
		r := mustRenderer(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := r.RenderPDF(ctx, testDoc("hello")); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v", err)
		}
	})
}

func TestRenderPDFConcurrent(t *testing.T) {
	r := mustRenderer(t)
	errs := make(chan error, 6)
	for i := range cap(errs) {
		go func() {
			_, err := r.RenderPDF(context.Background(), testDoc(fmt.Sprintf("## Doc %d\n\nBody.\n", i)))
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// BenchmarkRenderPDF measures a warm export of the sample post-mortem with a running browser. It
// also reports the median export time.
func BenchmarkRenderPDF(b *testing.B) {
	r := mustRenderer(b)
	md, err := os.ReadFile("testdata/postmortem.md")
	if err != nil {
		b.Fatal(err)
	}
	doc := testDoc(string(md))
	if err := r.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	if _, err := r.RenderPDF(context.Background(), doc); err != nil {
		b.Fatal(err)
	}
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := r.RenderPDF(context.Background(), doc); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Milliseconds()), "median-ms")
}

// BenchmarkRenderPDFCold measures the first export of a new Renderer, which starts the browser.
func BenchmarkRenderPDFCold(b *testing.B) {
	path := chromePath(b)
	md, err := os.ReadFile("testdata/postmortem.md")
	if err != nil {
		b.Fatal(err)
	}
	doc := testDoc(string(md))
	for b.Loop() {
		r := pdf.New(pdf.Config{ChromePath: path})
		if _, err := r.RenderPDF(context.Background(), doc); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// testPNG returns a 200×100 red PNG.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := imageRGBA(200, 100, color.RGBA{R: 0xd0, G: 0x30, B: 0x30, A: 0xff})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hasColour reports whether the PNG at path has a pixel close to c.
func hasColour(t *testing.T, path string, c color.RGBA) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d > -24 && d < 24 }
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, c.R) && near(g, c.G) && near(b, c.B) {
				return true
			}
		}
	}
	return false
}

// TestRenderPDFBrowserRunsNiced: the browser and its helpers run below the portal's CPU
// priority, so that printing does not slow the pages served meanwhile.
func TestRenderPDFBrowserRunsNiced(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("nice(1) is used on Linux")
	}
	r := mustRenderer(t)
	if _, err := r.RenderPDF(context.Background(), testDoc("## Nice\n\nHello.\n")); err != nil {
		t.Fatal(err)
	}
	p := pdf.BrowserProcess(r)
	if p == nil {
		t.Fatal("no browser process")
	}
	if os.Geteuid() == 0 {
		// As root Chromium sets its threads' nice values itself; its scheduling group is lowered.
		group, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/autogroup")
		if err != nil {
			t.Skipf("no autogroups here: %v", err)
		}
		if own, _ := os.ReadFile("/proc/self/autogroup"); bytes.Equal(group, own) ||
			!strings.HasSuffix(strings.TrimSpace(string(group)), " nice "+strconv.Itoa(pdf.DefaultNice)) {
			t.Errorf("browser's scheduling group %q, the tests' %q: want its own, at nice %d", group, own, pdf.DefaultNice)
		}
		return
	}
	own, err := niceOf(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	got, err := niceOf(p.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if want := min(own+pdf.DefaultNice, 19); got != want {
		t.Errorf("browser runs at nice %d, want %d (the tests run at %d)", got, want, own)
	}
}

// niceOf reads a process's nice value from /proc (the 19th field of stat).
func niceOf(pid int) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name is in parentheses and may hold spaces: the fields follow the last ")".
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return strconv.Atoi(fields[16])
}
