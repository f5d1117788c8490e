package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// browser is one signed-in session as a browser holds it: its own cookie jar and the CSRF
// token of the last page it loaded (from the page's markup, as htmx and the page's scripts
// read it), sending the headers htmx sends.
type browser struct {
	base   string
	client *http.Client
	csrf   string
	rec    *recorder
}

// newTransport is the connection pool all sessions share: enough idle connections that every
// session keeps one open, as each browser would.
func newTransport(sessions int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = sessions * 2
	t.MaxIdleConnsPerHost = sessions * 2
	t.MaxConnsPerHost = 0
	return t
}

func newBrowser(base string, transport http.RoundTripper, rec *recorder) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{base: base, rec: rec, client: &http.Client{
		Transport: transport,
		Jar:       jar,
		// A redirect is an answer of its own: the drill follows it when a browser would need
		// the page.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// csrfPatterns find the CSRF token in a page's markup: the body's data-csrf attribute (which the
// upload scripts read), its hx-headers (which htmx sends), or a form's hidden _csrf field.
var csrfPatterns = []*regexp.Regexp{
	regexp.MustCompile(`data-csrf="([^"]+)"`),
	regexp.MustCompile(`hx-headers="\{&#34;X-CSRF-Token&#34;:&#34;([^&"]+)&#34;\}"`),
	regexp.MustCompile(`hx-headers='\{"X-CSRF-Token":"([^"]+)"\}'`),
	regexp.MustCompile(`name="_csrf" value="([^"]+)"`),
}

// csrfFromMarkup returns the CSRF token a page carries, or "".
func csrfFromMarkup(page []byte) string {
	for _, re := range csrfPatterns {
		if m := re.FindSubmatch(page); m != nil {
			return html.UnescapeString(string(m[1]))
		}
	}
	return ""
}

// response is what a request answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

// requestTimeout bounds one request; a request still unanswered then is an error.
const requestTimeout = 30 * time.Second

// errAborted says the drill stopped (Ctrl-C) while the request was in flight: it is neither a
// success nor an error of the portal.
var errAborted = errors.New("aborted")

// do sends req and records it under route: an error when the status is not one of want, or
// the request failed. A request aborted because ctx ended is not recorded.
func (b *browser) do(ctx context.Context, route string, req *http.Request, want ...int) (*response, error) {
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req = req.WithContext(rctx)
	start := time.Now()
	resp, err := b.client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	elapsed := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return nil, errAborted
		}
		b.rec.add(route, elapsed, true, err.Error())
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	r := &response{status: resp.StatusCode, header: resp.Header, body: body}
	for _, w := range want {
		if resp.StatusCode == w {
			b.rec.add(route, elapsed, false, "")
			return r, nil
		}
	}
	msg := fmt.Sprintf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, abbreviate(string(body), 300))
	b.rec.add(route, elapsed, true, msg)
	return r, errors.New(msg)
}

// abbreviate shortens s to at most n bytes for a message, on one line.
func abbreviate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// page loads a whole page, as following a link does, and keeps its CSRF token.
func (b *browser) page(ctx context.Context, route, path string) (*response, error) {
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	req.Header.Set("Accept", "text/html")
	r, err := b.do(ctx, route, req, http.StatusOK)
	if err != nil {
		return r, err
	}
	if tok := csrfFromMarkup(r.body); tok != "" {
		b.csrf = tok
	}
	return r, nil
}

// htmx sends a request as htmx does from the page: HX-Request, the target's id, the page's
// CSRF token for unsafe methods.
func (b *browser) htmx(ctx context.Context, route, method, path, target string, form url.Values, want ...int) (*response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", b.base+"/")
	if target != "" {
		req.Header.Set("HX-Target", target)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	return b.do(ctx, route, req, want...)
}

// signIn signs in on the login page as a browser does: the page, then the form with its token.
func (b *browser) signIn(ctx context.Context, username, password string) error {
	r, err := b.page(ctx, "login_page", "/login")
	if err != nil {
		return err
	}
	form := url.Values{"username": {username}, "password": {password}, "next": {"/"}, "_csrf": {csrfFromMarkup(r.body)}}
	req, _ := http.NewRequest(http.MethodPost, b.base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err = b.do(ctx, "login", req, http.StatusSeeOther)
	if err != nil {
		return err
	}
	if loc := r.header.Get("Location"); loc != "/" {
		return fmt.Errorf("signing in as %s: sent to %q, not /", username, loc)
	}
	// The dashboard it is sent to carries the signed-in session's token.
	if _, err := b.page(ctx, "dashboard", "/"); err != nil {
		return err
	}
	if b.csrf == "" {
		return fmt.Errorf("signing in as %s: the dashboard carries no CSRF token", username)
	}
	return nil
}

// stream follows a reply's event stream to its done event and returns that event's data. The
// route's latency is the time to the done event: the whole reply.
func (b *browser) stream(ctx context.Context, route, path string) (string, error) {
	rctx, cancel := context.WithTimeout(ctx, 2*requestTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(rctx, http.MethodGet, b.base+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	start := time.Now()
	fail := func(err error) (string, error) {
		if ctx.Err() != nil {
			return "", errAborted
		}
		b.rec.add(route, time.Since(start), true, err.Error())
		return "", err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return fail(fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, abbreviate(string(body), 300)))
	}
	event, data := "", []string{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if event == "done" {
				b.rec.add(route, time.Since(start), false, "")
				return strings.Join(data, "\n"), nil
			}
			event, data = "", data[:0]
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		}
	}
	if err := sc.Err(); err != nil {
		return fail(fmt.Errorf("GET %s: %w", path, err))
	}
	return fail(fmt.Errorf("GET %s: the stream ended without a done event", path))
}

// upload posts a log file as the incident page's script does: multipart to the API with the
// page's CSRF token, expecting 201 and JSON.
func (b *browser) upload(ctx context.Context, route, issueID, fileName string, content []byte) (*response, error) {
	var buf bytes.Buffer
	boundary := "soakboundary" + fmt.Sprint(time.Now().UnixNano())
	fmt.Fprintf(&buf, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=%q\r\nContent-Type: text/plain\r\n\r\n", boundary, fileName)
	buf.Write(content)
	fmt.Fprintf(&buf, "\r\n--%s--\r\n", boundary)
	req, _ := http.NewRequest(http.MethodPost, b.base+"/api/v1/issues/"+issueID+"/logs", &buf)
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", b.csrf)
	return b.do(ctx, route, req, http.StatusCreated)
}
