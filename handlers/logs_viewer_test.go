package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"tftsr/domain"
)

// TestViewersSeeMaskedTextBeforeReview: until a log is reviewed, a viewer gets the detector's
// masked text everywhere it can read the log (the content API, its download, the "original",
// the review page), never the values; responders still see the originals they review.
func TestViewersSeeMaskedTextBeforeReview(t *testing.T) {
	p := newLogPortal(t, domain.LogLimits{}, "")
	rita, vic := p.login(t, "rita"), p.login(t, "vic")
	issueID := p.newIssue(t, rita, "Login storm")
	l := decodeLog(t, upload(t, rita, issueID, logFile{"auth.log", []byte(httpSecretLog)}))
	secrets := []string{"grace.hopper@example.com", "S3cr3t!pass", "198.51.100.23"}

	for _, path := range []string{"/content", "/content?download=1", "/content?original=true"} {
		r := vic.get("/api/v1/logs/"+l.ID+path, nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("viewer %s: %d %s", path, r.StatusCode, r.Body)
		}
		wantIn(t, r.Body, "user=[Email]", "[Password]", "INFO done")
		wantOut(t, r.Body, secrets...)
	}

	page := vic.get("/logs/"+l.ID, nil)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page.Body))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Find(`[data-testid="masked-notice"]`).Length() != 1 {
		t.Errorf("the viewer's review page does not say the text is masked")
	}
	text := doc.Find(`[data-testid="log-text"]`).Text()
	wantIn(t, text, "[Email]", "[Password]")
	wantOut(t, page.Body, secrets...)

	// The responder who reviews it sees the values, on the page and through the API.
	if r := rita.get("/api/v1/logs/"+l.ID+"/content", nil); r.Body != httpSecretLog {
		t.Errorf("responder content before review: %q", r.Body)
	}
	rp := rita.get("/logs/"+l.ID, nil)
	wantIn(t, rp.Body, "grace.hopper@example.com")
	if strings.Contains(rp.Body, `data-testid="masked-notice"`) {
		t.Error("the responder's review page says the text is masked")
	}
}
