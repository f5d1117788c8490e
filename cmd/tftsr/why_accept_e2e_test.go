package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// whyAcceptLog is an uploaded log whose cited lines hold secrets.
const whyAcceptLog = "2026-03-01T09:10:00Z INFO deploy 4.2 started\n" +
	"2026-03-01T09:12:01Z ERROR pool exhausted for user=grace.hopper@example.com from 198.51.100.23\n" +
	"2026-03-01T09:12:02Z WARN retry without backoff password=S3cr3t!pass\n" +
	"2026-03-01T09:13:00Z INFO done\n"

// TestWhyAcceptEndToEnd drives accepting a proposed why in Chromium: a fake OpenAI-compatible
// provider replies with a proposal citing lines of an uploaded log; one click on Accept puts it
// into the 5-Whys with the evidence linked and the cited lines shown redacted; a reload keeps it.
func TestWhyAcceptEndToEnd(t *testing.T) {
	fake := newFakeOpenAI(t, func(s *openAIStream, _ int) {
		s.text("The pool filled up right after the deploy.\n\n")
		s.text("- **Proposed Why 1:** The connection pool was exhausted by retries ")
		s.text("(evidence: payments.log:2–3)\n")
		s.done()
	})

	p := startPortal(t)
	token := p.apiToken(t)
	p.useOpenAI(t, token, "local-fake", fake.URL, nil)
	issue := p.createIssue(t, token, `{"title":"Payments failing after deploy 4.2","severity":"high","category":"application"}`)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "payments.log")
	fw.Write([]byte(whyAcceptLog))
	mw.Close()
	var lf struct{ ID string }
	p.apiCall(t, token, http.MethodPost, "/api/v1/issues/"+issue+"/logs", mw.FormDataContentType(), &body, &lf)
	if lf.ID == "" {
		t.Fatal("the upload returned no log id")
	}

	ctx := newBrowser(t)
	p.signIn(t, ctx, "/issues/"+issue+"/chat", "#chat-message", viewport(1280, 1500))
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "ask the assistant",
		sendKeys("#chat-message", "Why are payments failing?"),
		click("#chat-send"),
	)
	waitFor(t, ctx, "the proposal", `!!document.querySelector("[data-testid=chat-assistant][data-status=complete] [data-testid=why-proposal] [data-testid=proposal-accept]")`)
	if got := mustText(t, ctx, "[data-testid=why-proposal]"); !strings.Contains(got, "The connection pool was exhausted by retries") || !strings.Contains(got, "payments.log:2–3") {
		t.Errorf("proposal row %q", got)
	}
	waitHTMXIdle(t, ctx)
	mustDo(t, ctx, "accept the proposal", click("[data-testid=proposal-accept]"))
	waitFor(t, ctx, "the row marked accepted", `!!document.querySelector("[data-testid=why-proposal] [data-testid=proposal-accepted]")`)
	waitFor(t, ctx, "the 5-Whys' count", `(document.querySelector("[data-testid=tab-count-five-whys]") || {}).textContent === "1/5"`)
	waitHTMXIdle(t, ctx)
	// The 5-Whys are on their own tab.
	mustDo(t, ctx, "open the 5-Whys", openTab("five-whys"))
	waitFor(t, ctx, "the cited lines", `!!document.querySelector("#five-whys [data-testid=cited-lines]")`)
	waitHTMXIdle(t, ctx)

	check := func(when string) {
		t.Helper()
		if got := mustText(t, ctx, "#five-whys [data-testid=why-1] .why-a"); got != "The connection pool was exhausted by retries" {
			t.Errorf("%s: why 1 answer %q", when, got)
		}
		if got := mustText(t, ctx, "[data-testid=why-level]"); got != "Why level 1 of 5" {
			t.Errorf("%s: why level %q", when, got)
		}
		href := mustEval[string](t, ctx, "reading the evidence link", `document.querySelector("#five-whys [data-testid=why-cite]").getAttribute("href")`)
		if want := "/logs/" + lf.ID + "/lines?from=2&to=3#L2"; href != want {
			t.Errorf("%s: evidence link %q, want %q", when, href, want)
		}
		lines := mustText(t, ctx, "#five-whys [data-testid=cited-lines]")
		if !strings.Contains(lines, "payments.log:2") || !strings.Contains(lines, "payments.log:3") || !strings.Contains(lines, "ERROR pool exhausted for user=") ||
			!strings.Contains(lines, "retry without backoff") || strings.Contains(lines, "deploy 4.2 started") {
			t.Errorf("%s: cited lines %q", when, lines)
		}
		for _, secret := range []string{"grace.hopper@example.com", "198.51.100.23", "S3cr3t!pass"} {
			if strings.Contains(lines, secret) {
				t.Errorf("%s: the cited lines show %q", when, secret)
			}
		}
	}
	check("after accepting")
	mustDo(t, ctx, "scroll to the 5-Whys", js(`document.getElementById("five-whys").scrollIntoView({block: "start"})`))
	shot := mustRun(t, ctx, "taking a screenshot", chromedp.CaptureScreenshot())
	if err := os.WriteFile("/tmp/tftsr-why-accept.png", shot, 0o644); err != nil {
		t.Logf("screenshot not saved: %v", err)
	}

	mustDo(t, ctx, "reload", reload(), waitVisible("#five-whys [data-testid=why-1]"))
	waitFor(t, ctx, "the cited lines after the reload", `!!document.querySelector("#five-whys [data-testid=cited-lines]")`)
	waitHTMXIdle(t, ctx)
	check("after the reload")

	// The reply's row still says the proposal is in the 5-Whys, and offers no second accept.
	mustDo(t, ctx, "open the chat", openTab("chat"))
	waitFor(t, ctx, "the row marked accepted after the reload", `!!document.querySelector("[data-testid=why-proposal] [data-testid=proposal-accepted]")`)
	if n := mustEval[int](t, ctx, "counting the accept buttons", `document.querySelectorAll("[data-testid=proposal-accept]").length`); n != 0 {
		t.Errorf("accept buttons after the reload: %d", n)
	}

	// The evidence link opens the lines, each an anchor.
	mustDo(t, ctx, "back to the 5-Whys", openTab("five-whys"))
	mustDo(t, ctx, "follow the evidence link", click("#five-whys [data-testid=why-cite]"),
		waitVisible("[data-testid=log-lines-page] #L2"))
	if got := mustText(t, ctx, "#L3"); !strings.Contains(got, "retry without backoff") || strings.Contains(got, "S3cr3t!pass") {
		t.Errorf("line 3 on the lines page %q", got)
	}
}
