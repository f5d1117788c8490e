package handlers_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"tftsr/domain"
	"tftsr/views"
)

// The sections of the incident page, by the ids htmx swaps. A change's answer holds the sections
// it changed and none of the others.
var pageSections = []string{views.IssueDetailID, views.IssueHeaderID, "overview", views.FiveWhysID, views.ChatID,
	views.LogsID, views.ImagesID, views.DocumentsID, views.ActionItemsID, views.TimelineID, views.TimelineEventsID}

// swap is one element of an htmx answer: the element swapped into the request's target, or an
// out-of-band swap.
type swap struct {
	id  string
	oob bool
}

// sectionsPortal is the portal with rita (responder) signed in on an incident of her own.
type sectionsPortal struct {
	*testPortal
	rita    *client
	token   string
	issueID string
}

func newSectionsPortal(t *testing.T) *sectionsPortal {
	t.Helper()
	p := newTestPortal(t)
	s := &sectionsPortal{testPortal: p, rita: p.login(t, "rita"), token: p.token(t, "rita")}
	r := s.rita.api(http.MethodPost, "/api/v1/issues", s.token, map[string]string{"title": "Queue backs up", "severity": "medium"})
	var is domain.Issue
	if err := json.Unmarshal([]byte(r.Body), &is); err != nil || r.StatusCode != http.StatusCreated {
		t.Fatalf("create incident: %d %s", r.StatusCode, r.Body)
	}
	s.issueID = is.ID
	return s
}

// detail reads the incident through the API.
func (s *sectionsPortal) detail(t *testing.T) domain.IssueDetail {
	t.Helper()
	r := s.rita.api(http.MethodGet, "/api/v1/issues/"+s.issueID, s.token, nil)
	var d domain.IssueDetail
	if err := json.Unmarshal([]byte(r.Body), &d); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("incident: %d %v %s", r.StatusCode, err, r.Body)
	}
	return d
}

// hx posts a form the way the incident page's htmx does: HX-Request and the CSRF token.
func (c *client) hx(path string, form url.Values) *response {
	c.t.Helper()
	f := url.Values{"_csrf": {c.csrf()}}
	for k, v := range form {
		f[k] = v
	}
	return c.postForm(path, f, c.hxHeader(nil))
}

// hxHeader is h with the headers htmx sends: HX-Request, and HX-Current-URL when the client is
// on a page.
func (c *client) hxHeader(h http.Header) http.Header {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Hx-Request", "true")
	if c.page != "" {
		h.Set("Hx-Current-Url", "http://portal.test"+c.page)
	}
	return h
}

// hxMultipart posts a multipart form (fields, and a file in "file" when fileName is not "") as
// htmx does.
func (c *client) hxMultipart(path string, fields map[string]string, fileName string, data []byte) *response {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields["_csrf"] = c.csrf()
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			c.t.Fatal(err)
		}
	}
	if fileName != "" {
		fw, err := w.CreateFormFile("file", fileName)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(data)
	}
	if err := w.Close(); err != nil {
		c.t.Fatal(err)
	}
	return c.do(http.MethodPost, path, &buf, c.hxHeader(http.Header{"Content-Type": {w.FormDataContentType()}}))
}

// wantSwaps checks an htmx answer: its status, that it is a fragment whose top-level elements are
// exactly want, in order, each out of band or not as said, and that it holds none of the page's
// other sections. It returns the parsed fragment.
func wantSwaps(t *testing.T, r *response, status int, want ...swap) *goquery.Document {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.StatusCode, status, r.Body)
	}
	if strings.Contains(strings.ToLower(r.Body), "<html") || strings.Contains(r.Body, `class="sidebar"`) {
		t.Fatalf("the answer is a whole page, want a fragment:\n%.300s", r.Body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	var got []swap
	doc.Find("body").Children().Each(func(_ int, el *goquery.Selection) {
		_, oob := el.Attr("hx-swap-oob")
		got = append(got, swap{el.AttrOr("id", goquery.NodeName(el)), oob})
	})
	if len(got) != len(want) {
		t.Fatalf("swaps %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("swaps %v, want %v", got, want)
		}
	}
	for _, id := range pageSections {
		wanted := false
		for _, w := range want {
			wanted = wanted || w.id == id
		}
		found := doc.Find("#" + id)
		if id == views.TimelineEventsID {
			// The timeline section holds its events.
			found = found.Not("#" + views.TimelineID + " *")
		}
		if !wanted && found.Length() > 0 {
			t.Errorf("the answer holds #%s, which the change does not touch", id)
		}
	}
	return doc
}

// eventTypes lists the event types of the timeline's events in sel.
func eventTypes(sel *goquery.Selection) []string {
	var types []string
	sel.Find("li[data-event-type]").Each(func(_ int, li *goquery.Selection) {
		types = append(types, li.AttrOr("data-event-type", ""))
	})
	return types
}

func hasEvent(sel *goquery.Selection, eventType string) bool {
	for _, e := range eventTypes(sel) {
		if e == eventType {
			return true
		}
	}
	return false
}

func text(sel *goquery.Selection) string { return strings.TrimSpace(sel.Text()) }

// pageDoc parses a page or fragment answered with 200.
func pageDoc(t *testing.T, r *response) *goquery.Document {
	t.Helper()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200:\n%.500s", r.StatusCode, r.Body)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestIssueStatusChangeIsPartial: a status change through htmx answers with the header (new
// badges, selects), and out of band what else it changed on the tab shown: the incident's times
// (a resolved time) on the Overview, the timeline's events on the Timeline, nothing on another
// tab; a plain form post is redirected to the page.
func TestIssueStatusChangeIsPartial(t *testing.T) {
	p := newSectionsPortal(t)
	path := "/issues/" + p.issueID + "/status"

	r := p.rita.on("/issues/"+p.issueID).hx(path, url.Values{"status": {"resolved"}, "severity": {"critical"}})
	doc := wantSwaps(t, r, http.StatusOK, swap{views.IssueHeaderID, false}, swap{views.IncidentTimesID, true})
	if doc.Find(`#`+views.IncidentTimesID+` [data-testid="time-resolved_at"] time`).Length() != 1 {
		t.Error("the times card does not show the resolved time")
	}
	header := doc.Find("#" + views.IssueHeaderID)
	if got := text(header.Find(`[data-testid="issue-status"]`)); got != "Resolved" {
		t.Errorf("status badge %q, want Resolved", got)
	}
	if got := text(header.Find(`[data-testid="issue-severity"]`)); got != "Critical" {
		t.Errorf("severity badge %q, want Critical", got)
	}
	if got := header.Find(`#status-select option[selected]`).AttrOr("value", ""); got != "resolved" {
		t.Errorf("status select on %q, want resolved", got)
	}
	if got := header.Find(`form.status-form`).AttrOr("hx-target", ""); got != "#"+views.IssueHeaderID {
		t.Errorf("the status form targets %q, want the header", got)
	}
	r = p.rita.on("/issues/"+p.issueID+"/timeline").hx(path, url.Values{"severity": {"high"}})
	doc = wantSwaps(t, r, http.StatusOK, swap{views.IssueHeaderID, false}, swap{views.TimelineEventsID, true})
	events := doc.Find("#" + views.TimelineEventsID)
	if !hasEvent(events, domain.EventStatusChanged) || !hasEvent(events, domain.EventSeverityChanged) || !hasEvent(events, domain.EventIssueCreated) {
		t.Errorf("timeline %v, want the whole timeline with the status and severity changes", eventTypes(events))
	}
	r = p.rita.on("/issues/"+p.issueID+"/logs").hx(path, url.Values{"severity": {"low"}})
	wantSwaps(t, r, http.StatusOK, swap{views.IssueHeaderID, false})

	r = p.rita.postForm(path, url.Values{"status": {"closed"}, "_csrf": {p.rita.csrf()}}, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/issues/"+p.issueID {
		t.Errorf("plain post: %d to %q, want 303 to the incident", r.StatusCode, r.Header.Get("Location"))
	}
	vic := p.login(t, "vic")
	if r := vic.hx(path, url.Values{"status": {"open"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("viewer: %d, want 403", r.StatusCode)
	}
}

// TestFiveWhysArePartial: adding and editing a why through htmx answers with the 5-Whys (entry,
// why level, next form) and the timeline's events out of band; a refused entry gets the 5-Whys
// alone with its field messages and what was typed.
func TestFiveWhysArePartial(t *testing.T) {
	p := newSectionsPortal(t)
	add := "/issues/" + p.issueID + "/five-whys"

	r := p.rita.on(add).hx(add, url.Values{"why_number": {"1"}, "question": {"Why did the queue back up?"}, "answer": {"The consumer stalled."}})
	doc := wantSwaps(t, r, http.StatusOK, swap{views.FiveWhysID, false})
	whys := doc.Find("#" + views.FiveWhysID)
	if got := text(whys.Find(`[data-testid="why-1"] .why-a`)); got != "The consumer stalled." {
		t.Errorf("why 1 answer %q", got)
	}
	if got := text(whys.Find(`[data-testid="why-level"]`)); got != "Why level 1 of 5" {
		t.Errorf("why level %q", got)
	}
	if got := text(whys.Find("#why-add")); got != "Add why 2" {
		t.Errorf("next form's button %q, want Add why 2", got)
	}
	if got := whys.Find("form.why-add").AttrOr("hx-target", ""); got != "#"+views.FiveWhysID {
		t.Errorf("the add form targets %q, want the 5-Whys", got)
	}
	// The Timeline tab, opened next, has the why level's rise.
	tl := pageDoc(t, p.rita.get("/issues/"+p.issueID+"/timeline", nil))
	if !hasEvent(tl.Find("#"+views.TimelineEventsID), domain.EventWhyLevelAdvanced) {
		t.Errorf("timeline %v lacks the why level's rise", eventTypes(tl.Find("#"+views.TimelineEventsID)))
	}

	// Why 1 again: refused, the form keeps what was typed and says why.
	r = p.rita.hx(add, url.Values{"why_number": {"1"}, "question": {"Typed again"}, "answer": {"kept"}})
	doc = wantSwaps(t, r, http.StatusUnprocessableEntity, swap{views.FiveWhysID, false})
	if got := text(doc.Find(".field-error")); !strings.Contains(got, "Why 1 already exists.") {
		t.Errorf("field messages %q", got)
	}
	if got := doc.Find("#why-question").AttrOr("value", ""); got != "Typed again" {
		t.Errorf("question field %q, want what was typed", got)
	}
	// No question: the field says so.
	r = p.rita.hx(add, url.Values{"why_number": {"2"}, "answer": {"an answer"}})
	doc = wantSwaps(t, r, http.StatusUnprocessableEntity, swap{views.FiveWhysID, false})
	if got := text(doc.Find("#why-question").Parent().Find(".field-error")); got != "Question is required." {
		t.Errorf("question's message %q", got)
	}
	if got := text(doc.Find("#why-answer")); got != "an answer" {
		t.Errorf("answer field %q, want what was typed", got)
	}

	// Why 2 without an answer, then answered by the edit form.
	wantSwaps(t, p.rita.hx(add, url.Values{"why_number": {"2"}, "question": {"Why did it stall?"}}), http.StatusOK,
		swap{views.FiveWhysID, false})
	steps := p.detail(t).ResolutionSteps
	if len(steps) != 2 || steps[1].WhyNumber != 2 || steps[1].Answer != "" {
		t.Fatalf("steps %+v", steps)
	}
	// Edited where the timeline is shown (a why level's rise may come from elsewhere), the answer
	// brings the timeline's events too.
	r = p.rita.on("/issues/"+p.issueID+"/timeline").hx("/five-whys/"+steps[1].ID, url.Values{"answer": {"Its pool was exhausted."}, "evidence": {""}})
	doc = wantSwaps(t, r, http.StatusOK, swap{views.FiveWhysID, false}, swap{views.TimelineEventsID, true})
	if got := text(doc.Find(`[data-testid="why-level"]`)); got != "Why level 2 of 5" {
		t.Errorf("why level after the edit %q", got)
	}
	if got := doc.Find(`[data-testid="why-2"] form`).AttrOr("hx-target", ""); got != "#"+views.FiveWhysID {
		t.Errorf("the edit form targets %q, want the 5-Whys", got)
	}
	if n := doc.Find("#" + views.TimelineEventsID + ` li[data-event-type="why_level_advanced"]`).Length(); n != 2 {
		t.Errorf("%d why level events, want 2", n)
	}

	// Without htmx, the page as before.
	r = p.rita.postForm(add, url.Values{"why_number": {"3"}, "question": {"Why?"}, "_csrf": {p.rita.csrf()}}, nil)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "<!doctype html>") || !strings.Contains(r.Body, `data-testid="why-3"`) {
		t.Errorf("plain post: %d %.100s, want the whole page", r.StatusCode, r.Body)
	}
}

// TestTimelineNoteIsPartial: a note answers with the timeline section, its field emptied; an
// empty note gets the section with the field's message.
func TestTimelineNoteIsPartial(t *testing.T) {
	p := newSectionsPortal(t)
	path := "/issues/" + p.issueID + "/timeline"

	r := p.rita.hx(path, url.Values{"description": {"Paged the <b>DB</b> team"}})
	doc := wantSwaps(t, r, http.StatusOK, swap{views.TimelineID, false})
	note := doc.Find(`#` + views.TimelineEventsID + ` li[data-event-type="note"]`)
	if got := text(note.Find(".event-desc")); got != "Paged the <b>DB</b> team" || note.Find("b").Length() != 0 {
		t.Errorf("note %q, shown as text", got)
	}
	if got := text(note.Find(".event-actor")); !strings.Contains(got, "rita") {
		t.Errorf("note's actor %q", got)
	}
	if v, _ := doc.Find("#note-text").Attr("value"); v != "" {
		t.Errorf("note field %q, want it empty", v)
	}
	if _, oob := doc.Find("#" + views.TimelineEventsID).Attr("hx-swap-oob"); oob {
		t.Error("inside its section the events list is no out-of-band swap")
	}

	r = p.rita.hx(path, url.Values{"description": {"   "}})
	doc = wantSwaps(t, r, http.StatusUnprocessableEntity, swap{views.TimelineID, false})
	if got := text(doc.Find(".field-error")); got != "Description is required." {
		t.Errorf("note's message %q", got)
	}
	if doc.Find("#note-text").AttrOr("aria-invalid", "") != "true" {
		t.Error("the note field is not marked invalid")
	}
	if n := doc.Find(`li[data-event-type="note"]`).Length(); n != 1 {
		t.Errorf("%d notes, want the first only", n)
	}
}

// TestActionItemsArePartial: adding, editing and deleting action items answer with the action
// items section, the owners to choose from included; a refused item gets its field messages.
func TestActionItemsArePartial(t *testing.T) {
	p := newSectionsPortal(t)

	r := p.rita.hx("/issues/"+p.issueID+"/action-items", url.Values{"action": {"Alert on queue depth"}, "priority": {"P1"}})
	doc := wantSwaps(t, r, http.StatusOK, swap{views.ActionItemsID, false})
	var list struct {
		Items []domain.ActionItem `json:"items"`
	}
	if err := json.Unmarshal([]byte(p.rita.api(http.MethodGet, "/api/v1/issues/"+p.issueID+"/action-items", p.token, nil).Body), &list); err != nil || len(list.Items) != 1 {
		t.Fatalf("action items %+v, %v", list.Items, err)
	}
	item := list.Items[0]
	row := doc.Find(`[data-testid="action-` + item.ID + `"]`)
	if got := row.Find(`input[name="action"]`).AttrOr("value", ""); got != "Alert on queue depth" {
		t.Errorf("row's action %q", got)
	}
	if got := row.Find(`select[name="priority"] option[selected]`).AttrOr("value", ""); got != "P1" {
		t.Errorf("row's priority %q", got)
	}
	if got := row.Find(`select[name="status"]`).AttrOr("hx-target", ""); got != "#"+views.ActionItemsID {
		t.Errorf("inline edits target %q, want the section", got)
	}
	var owners []string
	doc.Find(`#action-owner option`).Each(func(_ int, o *goquery.Selection) { owners = append(owners, text(o)) })
	if strings.Join(owners, ",") != "Unassigned,admin,rita,vic" {
		t.Errorf("owners %v", owners)
	}

	r = p.rita.hx("/issues/"+p.issueID+"/action-items", url.Values{"action": {" "}})
	doc = wantSwaps(t, r, http.StatusUnprocessableEntity, swap{views.ActionItemsID, false})
	if doc.Find(`.field-error[data-field="action"]`).Length() != 1 || doc.Find(`[data-testid="action-`+item.ID+`"]`).Length() != 1 {
		t.Errorf("refused item: want the action's message beside the existing items:\n%s", r.Body)
	}

	r = p.rita.hx("/action-items/"+item.ID, url.Values{"status": {"done"}})
	doc = wantSwaps(t, r, http.StatusOK, swap{views.ActionItemsID, false})
	if got := doc.Find(`[data-testid="action-`+item.ID+`"] select[name="status"] option[selected]`).AttrOr("value", ""); got != "done" {
		t.Errorf("status after the edit %q", got)
	}

	r = p.rita.hx("/action-items/"+item.ID+"/delete", nil)
	doc = wantSwaps(t, r, http.StatusOK, swap{views.ActionItemsID, false})
	if got := text(doc.Find("#" + views.ActionItemsID + " p.muted")); got != "No action items yet." {
		t.Errorf("after the delete %q", got)
	}
}

// TestImagesArePartial: an image uploaded by the Images tab's form through htmx answers with the
// gallery alone (the timeline, on its own tab, has the upload); a delete with the gallery alone.
func TestImagesArePartial(t *testing.T) {
	p := newSectionsPortal(t)

	r := p.rita.on("/issues/"+p.issueID+"/images").hxMultipart("/issues/"+p.issueID+"/images", map[string]string{"pii_warning_acknowledged": "true"}, "panel.png", pngImage(t, 40, 30, false))
	doc := wantSwaps(t, r, http.StatusOK, swap{views.ImageGalleryID, false})
	thumb := doc.Find(`#` + views.ImageGalleryID + ` [data-testid="image-thumb"]`)
	if thumb.Length() != 1 || thumb.AttrOr("alt", "") != "panel.png" {
		t.Fatalf("gallery:\n%s", r.Body)
	}
	tl := pageDoc(t, p.rita.get("/issues/"+p.issueID+"/timeline", nil))
	if !hasEvent(tl.Find("#"+views.TimelineEventsID), domain.EventImageUploaded) {
		t.Errorf("timeline %v lacks the upload", eventTypes(tl.Find("#"+views.TimelineEventsID)))
	}
	del := doc.Find(`form.image-delete`)
	if del.AttrOr("hx-target", "") != "#"+views.ImageGalleryID || del.AttrOr("hx-select", "") != "" {
		t.Errorf("the delete form targets %q, selecting %q; want the gallery as answered", del.AttrOr("hx-target", ""), del.AttrOr("hx-select", ""))
	}

	r = p.rita.hx(del.AttrOr("hx-post", ""), nil)
	doc = wantSwaps(t, r, http.StatusOK, swap{views.ImageGalleryID, false})
	if doc.Find(`[data-testid="image-thumb"]`).Length() != 0 || doc.Find("#"+views.ImageGalleryID+" .empty").Length() != 1 {
		t.Errorf("gallery after the delete:\n%s", r.Body)
	}
}

// TestLogsArePartial: a log pasted through htmx on the Logs tab answers with the logs section
// alone (the timeline, on its own tab, has the upload), a deleted one with the log list and its
// count; the 5-Whys' citations, on their own tab, follow the logs when it is opened.
func TestLogsArePartial(t *testing.T) {
	p := newSectionsPortal(t)
	paste := "/issues/" + p.issueID + "/logs"
	onLogs := p.rita.on(paste)
	fiveWhys := func() *goquery.Document {
		return pageDoc(t, p.rita.get("/issues/"+p.issueID+"/five-whys", nil))
	}

	r := onLogs.hxMultipart(paste, map[string]string{"file_name": "other.log", "content": "boot ok\n"}, "", nil)
	doc := wantSwaps(t, r, http.StatusOK, swap{views.LogsID, false})
	if got := text(doc.Find(`[data-testid="log-name"]`)); got != "other.log" {
		t.Errorf("logs %q", got)
	}
	if got := text(doc.Find("#" + views.LogCountID)); got != "1 log" {
		t.Errorf("log count %q", got)
	}
	tl := pageDoc(t, p.rita.get("/issues/"+p.issueID+"/timeline", nil))
	if !hasEvent(tl.Find("#"+views.TimelineEventsID), domain.EventLogUploaded) {
		t.Errorf("timeline %v lacks the upload", eventTypes(tl.Find("#"+views.TimelineEventsID)))
	}
	if got := doc.Find("details.log-paste form").AttrOr("hx-target", ""); got != "#"+views.LogsID {
		t.Errorf("the paste form targets %q, want the logs section", got)
	}
	// Pasted where the timeline is shown, the timeline's events come along.
	r = p.rita.on("/issues/"+p.issueID+"/timeline").hxMultipart(paste, map[string]string{"file_name": "third.log", "content": "x\n"}, "", nil)
	wantSwaps(t, r, http.StatusOK, swap{views.LogsID, false}, swap{views.TimelineEventsID, true})
	third := p.detail(t).LogFiles[0]

	// A why citing a log the incident does not have yet.
	wantSwaps(t, p.rita.hx("/issues/"+p.issueID+"/five-whys", url.Values{"why_number": {"1"}, "question": {"Why?"},
		"answer": {"The queue filled."}, "evidence": {"queue.log:1"}}), http.StatusOK, swap{views.FiveWhysID, false})
	if got := text(fiveWhys().Find(`[data-testid="cite-missing"]`)); !strings.Contains(got, "this incident has no log named queue.log") {
		t.Errorf("the citation before the upload %q", got)
	}

	r = onLogs.hxMultipart(paste, map[string]string{"file_name": "queue.log", "content": "queue full\n"}, "", nil)
	doc = wantSwaps(t, r, http.StatusOK, swap{views.LogsID, false})
	logs := p.detail(t).LogFiles
	if len(logs) != 3 {
		t.Fatalf("logs %+v", logs)
	}
	queue := logs[0]
	if queue.FileName != "queue.log" {
		t.Fatalf("newest log %q, want queue.log", queue.FileName)
	}
	if got := fiveWhys().Find(`#`+views.FiveWhysID+` [data-testid="why-cite"]`).AttrOr("href", ""); got != "/logs/"+queue.ID+"/lines?from=1&to=1#L1" {
		t.Errorf("the citation links to %q", got)
	}
	if got := text(doc.Find("#" + views.LogCountID)); got != "3 logs" {
		t.Errorf("log count %q", got)
	}

	r = onLogs.hx("/logs/"+queue.ID+"/delete", nil)
	doc = wantSwaps(t, r, http.StatusOK, swap{views.LogListID, false}, swap{views.LogCountID, true})
	if got := text(doc.Find(`[data-testid="log-name"]`)); got != "third.logother.log" {
		t.Errorf("logs after the delete %q", got)
	}
	if got := text(doc.Find("#" + views.LogCountID)); got != "2 logs" {
		t.Errorf("log count after the delete %q", got)
	}
	if got := text(fiveWhys().Find(`[data-testid="cite-missing"]`)); !strings.Contains(got, "this incident has no log named queue.log") {
		t.Errorf("the citation after the delete %q", got)
	}
	del := doc.Find(`form.log-delete`)
	if del.AttrOr("hx-target", "") != "#"+views.LogListID || del.AttrOr("hx-select", "") != "" || del.AttrOr("hx-select-oob", "") != "" {
		t.Errorf("the delete form targets %q, selecting %q and %q; want the list as answered",
			del.AttrOr("hx-target", ""), del.AttrOr("hx-select", ""), del.AttrOr("hx-select-oob", ""))
	}

	// The last logs gone: the count is emptied.
	wantSwaps(t, onLogs.hx("/logs/"+third.ID+"/delete", nil), http.StatusOK, swap{views.LogListID, false}, swap{views.LogCountID, true})
	r = onLogs.hx(del.Last().AttrOr("hx-post", ""), nil)
	doc = wantSwaps(t, r, http.StatusOK, swap{views.LogListID, false}, swap{views.LogCountID, true})
	if got := text(doc.Find("#" + views.LogCountID)); got != "" {
		t.Errorf("log count without logs %q", got)
	}
}
