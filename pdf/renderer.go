// Package pdf renders documents to print-quality PDF with headless Chromium, driven by chromedp.
// One Renderer keeps one browser and prints each document in a new tab.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"tftsr/domain"
)

// The defaults of Config.
const (
	DefaultChromePath = "/usr/bin/chromium"
	DefaultMaxTabs    = 2
	DefaultTimeout    = 30 * time.Second
	DefaultNice       = 10
)

// deathGrace is how long a failed render waits for the browser's context to end, to tell a dead
// browser (which is restarted) from a failed page (which is not).
const deathGrace = 500 * time.Millisecond

// Config configures a Renderer. Zero fields take the defaults above.
type Config struct {
	ChromePath string        // the Chromium executable
	MaxTabs    int           // how many PDFs print at once; more callers wait
	Timeout    time.Duration // the limit for starting the browser, and for printing one PDF
	// Nice is how much lower the browser's CPU priority is than the portal's (nice(1)), so that
	// printing a PDF, which keeps a core busy, does not slow down every page being served on
	// the same machine. Negative: the same priority.
	Nice int
}

// Renderer prints documents to PDF in one shared headless Chromium. It starts the browser on first
// use or on Start, opens a new tab for each PDF, bounds the tabs open at once, and starts a new
// browser when the old one has died. It is safe for concurrent use.
type Renderer struct {
	cfg  Config
	tabs chan struct{}

	mu     sync.Mutex
	b      *browser
	closed bool
}

// browser is one running Chromium.
type browser struct {
	ctx    context.Context    // the browser's chromedp context; done when the browser is gone
	cancel context.CancelFunc // closes the browser and waits for its process
	dir    string             // the user data directory, removed after the browser exits
}

var _ domain.PDFRenderer = (*Renderer)(nil)

// New returns a Renderer with cfg. It starts no browser.
func New(cfg Config) *Renderer {
	if cfg.ChromePath == "" {
		cfg.ChromePath = DefaultChromePath
	}
	if cfg.MaxTabs <= 0 {
		cfg.MaxTabs = DefaultMaxTabs
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Nice == 0 {
		cfg.Nice = DefaultNice
	}
	return &Renderer{cfg: cfg, tabs: make(chan struct{}, cfg.MaxTabs)}
}

// Start starts the browser now rather than on the first RenderPDF, so that a missing or broken
// Chromium shows at startup. It does nothing when the browser runs. The start is limited by
// Config.Timeout; ctx only stops Start from beginning one.
func (r *Renderer) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := r.browser()
	return err
}

// Close shuts the browser down and removes its user data directory. RenderPDF fails after Close.
func (r *Renderer) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.b == nil {
		return nil
	}
	err := r.b.close()
	r.b = nil
	return err
}

// RenderPDF prints doc to a PDF on doc.Paper. If the browser has died, it starts a new one and
// tries once more. Errors are *domain.Error with code EUNAVAILABLE when the browser cannot start
// or the render times out, or the caller's context error when it ended.
func (r *Renderer) RenderPDF(ctx context.Context, doc domain.PrintableDocument) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pageHTML, err := printHTML(doc)
	if err != nil {
		return nil, err
	}
	opts := printOptions(doc)

	select {
	case r.tabs <- struct{}{}:
		defer func() { <-r.tabs }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}

	for attempt := 0; ; attempt++ {
		b, err := r.browser()
		if err != nil {
			return nil, err
		}
		buf, err := r.print(ctx, b, pageHTML, opts)
		switch {
		case err == nil:
			return buf, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			return nil, domain.Errorf(domain.EUNAVAILABLE, "PDF export is unavailable: the browser took longer than %s", r.cfg.Timeout)
		case attempt == 0 && b.dead(deathGrace):
			r.discard(b)
			continue
		case b.dead(0):
			return nil, domain.Errorf(domain.EUNAVAILABLE, "PDF export is unavailable: the browser stopped")
		}
		return nil, fmt.Errorf("pdf: print: %w", err)
	}
}

// print prints pageHTML in a new tab of b. The tab has JavaScript turned off, and it closes when
// print returns.
func (r *Renderer) print(ctx context.Context, b *browser, pageHTML string, opts []chromedp.PDFOption) ([]byte, error) {
	tabCtx, closeTab := chromedp.NewContext(b.ctx)
	defer closeTab()
	runCtx, cancel := context.WithTimeout(tabCtx, r.cfg.Timeout)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()

	err := chromedp.Do(runCtx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			return fmt.Errorf("disable scripts: %w", err)
		}
		tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return fmt.Errorf("get the frame tree: %w", err)
		}
		_, err = chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.SetDocumentContent,
				page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: pageHTML})
			return err
		}))(ctx, t)
		if err != nil {
			return fmt.Errorf("set the document: %w", err)
		}
		return nil
	}))
	if err != nil {
		return nil, err
	}
	return chromedp.Run(runCtx, chromedp.PrintToPDF(opts...))
}

// browser returns the running browser, and starts one when there is none or the last one died.
func (r *Renderer) browser() (*browser, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "PDF export is unavailable: the renderer is closed")
	}
	if r.b != nil && r.b.ctx.Err() == nil {
		return r.b, nil
	}
	if r.b != nil {
		_ = r.b.close()
		r.b = nil
	}
	b, err := startBrowser(r.cfg)
	if err != nil {
		return nil, err
	}
	r.b = b
	return b, nil
}

// discard forgets b, a dead browser, and cleans up after it, unless another render already did.
func (r *Renderer) discard(b *browser) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.b == b {
		_ = b.close()
		r.b = nil
	}
}

// startBrowser starts Chromium with a new user data directory in the temporary directory. It
// waits at most cfg.Timeout.
func startBrowser(cfg Config) (*browser, error) {
	unavailable := domain.Errorf(domain.EUNAVAILABLE, "PDF export is unavailable: the browser could not start")
	dir, err := os.MkdirTemp("", "tftsr-chromium-")
	if err != nil {
		return nil, fmt.Errorf("pdf: make the user data directory: %w", err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(niceOptions(cfg.Nice),
		chromedp.ExecPath(cfg.ChromePath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("mute-audio", true),
	)...)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf), chromedp.WithLogf(logf))
	b := &browser{
		ctx: bctx,
		cancel: func() {
			cancelBrowser()
			cancelAlloc()
		},
		dir: dir,
	}
	// The browser lives as long as bctx, so a start that hangs is ended by killing the process.
	// The caller's ctx does not end the start: another render may be waiting for it.
	timer := time.AfterFunc(cfg.Timeout, cancelAlloc)
	err = chromedp.Do(bctx)
	if !timer.Stop() || err != nil {
		_ = b.close()
		return nil, unavailable
	}
	if p := chromedpProcess(b); p != nil {
		lowerGroup(p.Pid, cfg.Nice)
	}
	return b, nil
}

// logf logs chromedp's messages at debug level: they are about protocol events that the
// renderer does not use, such as DOM.documentUpdated after a document is replaced.
func logf(format string, args ...any) {
	slog.Debug("pdf: chromedp: " + fmt.Sprintf(format, args...))
}

// dead reports whether the browser is gone, waiting up to grace for it to be noticed.
func (b *browser) dead(grace time.Duration) bool {
	if b.ctx.Err() != nil {
		return true
	}
	if grace <= 0 {
		return false
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-b.ctx.Done():
		return true
	case <-t.C:
		return false
	}
}

// close shuts the browser down, waits for its process, and removes its user data directory.
func (b *browser) close() error {
	b.cancel()
	if err := os.RemoveAll(b.dir); err != nil {
		return fmt.Errorf("pdf: remove the user data directory: %w", err)
	}
	return nil
}

// printOptions returns the PrintToPDF options for doc: its paper, margins that leave room for the
// running header and footer, backgrounds for the badge and table shading, and the outline.
func printOptions(doc domain.PrintableDocument) []chromedp.PDFOption {
	paper := chromedp.PaperSize{Width: 210 / 25.4, Height: 297 / 25.4} // A4 exactly; chromedp's is rounded
	if doc.Paper == domain.PaperLetter {
		paper = chromedp.PaperLetter
	}
	title := html.EscapeString(doc.Title)
	version := ""
	if doc.Version > 0 {
		version = fmt.Sprintf(" · v%d", doc.Version)
	}
	const box = `font-family: 'DejaVu Sans', 'Noto Sans', 'Liberation Sans', sans-serif; font-size: 7.5pt; ` +
		`color: #5f6b7a; width: 100%; margin: 0 0.75in; display: flex; justify-content: space-between; gap: 12pt;`
	header := `<div style="` + box + ` padding-bottom: 4pt; border-bottom: 0.5pt solid #d5dbe3;">` +
		`<span style="overflow: hidden; text-overflow: ellipsis; white-space: nowrap;">` + title + `</span>` +
		`<span style="white-space: nowrap;">` + html.EscapeString(kindLabel(doc.Kind)) + version + `</span></div>`
	footer := `<div style="` + box + `">` +
		`<span>Generated ` + html.EscapeString(formatTime(doc.GeneratedAt)) + `</span>` +
		`<span style="white-space: nowrap;">Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`
	return []chromedp.PDFOption{
		chromedp.PDFPaper(paper),
		chromedp.PDFMargins(0.8, 0.75, 0.75, 0.75),
		chromedp.PDFPrintBackground(),
		chromedp.PDFHeaderTemplate(header),
		chromedp.PDFFooterTemplate(footer),
		chromedp.PDFOutlineAndTagged(),
	}
}

// chromedpProcess returns the browser process of b.
func chromedpProcess(b *browser) *os.Process {
	c := chromedp.FromContext(b.ctx)
	if c == nil || c.Browser == nil {
		return nil
	}
	return c.Browser.Process()
}
