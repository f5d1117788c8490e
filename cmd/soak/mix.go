package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"tftsr/views"
)

// writeKind names a kind of write the drill checks afterwards.
type writeKind string

const (
	writeIssue writeKind = "incident"
	writeNote  writeKind = "timeline note"
	writeWhy   writeKind = "why answer"
	writeLog   writeKind = "log upload"
	writeChat  writeKind = "chat message"
)

// writeKinds lists the kinds in the order the report gives them.
var writeKinds = []writeKind{writeIssue, writeNote, writeWhy, writeLog, writeChat}

// ledger is every write the portal acknowledged, each by the unique marker in its text. It is
// safe for concurrent use.
type ledger struct {
	mu     sync.Mutex
	made   map[writeKind][]string
	failed map[writeKind]int
}

func newLedger() *ledger {
	return &ledger{made: map[writeKind][]string{}, failed: map[writeKind]int{}}
}

func (l *ledger) ack(k writeKind, marker string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.made[k] = append(l.made[k], marker)
}

func (l *ledger) fail(k writeKind) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failed[k]++
}

// shared is what every virtual user reads: the seeded incidents and documents.
type shared struct {
	run       string // the run's id, in every marker
	issues    []string
	documents []string
	ledger    *ledger
	think     time.Duration
}

// user is one virtual user: a signed-in browser session working its own incident (whys, logs
// and chat, which have an order) and the team's incidents (reading, notes).
type user struct {
	n       int
	b       *browser
	sh      *shared
	r       *rand.Rand
	seq     int
	issue   string // its own incident
	nextWhy int    // the next why to answer on it, 1–5
	docs    []string
}

// marker returns a new unique marker of this user. It is letters, digits and hyphens only,
// so that no PII or secret detector takes it for a value to redact.
func (u *user) marker() string {
	u.seq++
	return fmt.Sprintf("soak-%s-u%03d-w%05d", u.sh.run, u.n, u.seq)
}

// action is one thing a user does, with its weight in the mix.
type action struct {
	name   string
	weight int
	do     func(u *user, ctx context.Context) error
}

// mix is what a team does in the portal, roughly as often as it does it: mostly reading,
// some writing, now and then an upload, a chat turn or an export.
var mix = []action{
	{"list", 18, (*user).list},
	{"open", 20, (*user).open},
	{"search", 14, (*user).search},
	{"dashboard", 6, (*user).dashboard},
	{"note", 12, (*user).note},
	{"why", 10, (*user).why},
	{"upload", 6, (*user).uploadLog},
	{"chat", 8, (*user).chat},
	{"export", 3, (*user).exportPDF},
	{"rca", 1, (*user).generateRCA},
}

// setWeights changes the weights of the mix's actions from "name=weight,...": a weight of 0
// leaves the action out.
func setWeights(spec string) error {
	if strings.TrimSpace(spec) == "" {
		return nil
	}
	for _, kv := range strings.Split(spec, ",") {
		name, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		var w int
		if _, err := fmt.Sscan(v, &w); !ok || err != nil || w < 0 {
			return fmt.Errorf("-weights: %q is not name=weight with a weight of 0 or more", kv)
		}
		i := slices.IndexFunc(mix, func(a action) bool { return a.name == name })
		if i < 0 {
			names := make([]string, len(mix))
			for j, a := range mix {
				names[j] = a.name
			}
			return fmt.Errorf("-weights: no action %q; the actions are %s", name, strings.Join(names, ", "))
		}
		mix[i].weight = w
	}
	if !slices.ContainsFunc(mix, func(a action) bool { return a.weight > 0 }) {
		return errors.New("-weights: every action has weight 0")
	}
	return nil
}

// mixString describes the mix's weights.
func mixString() string {
	parts := make([]string, len(mix))
	for i, a := range mix {
		parts[i] = fmt.Sprintf("%s=%d", a.name, a.weight)
	}
	return strings.Join(parts, ",")
}

func pickAction(r *rand.Rand) action {
	total := 0
	for _, a := range mix {
		total += a.weight
	}
	n := r.IntN(total)
	for _, a := range mix {
		if n < a.weight {
			return a
		}
		n -= a.weight
	}
	return mix[len(mix)-1]
}

// loop runs the user's mix until the deadline: an action under way then is finished, so that
// every write the drill makes has its answer. Errors are recorded and the user goes on. Only
// ctx ending (Ctrl-C) aborts requests in flight. With a think time, a session pauses before each
// action, the first included: sessions are already at work when the run starts, as a team's
// are, rather than all clicking in the same millisecond.
func (u *user) loop(ctx context.Context, deadline time.Time) {
	for ctx.Err() == nil && time.Now().Before(deadline) {
		if u.sh.think > 0 {
			pause := time.Duration(u.r.Int64N(int64(2 * u.sh.think)))
			select {
			case <-time.After(min(pause, time.Until(deadline))):
			case <-ctx.Done():
			}
			if !time.Now().Before(deadline) {
				return
			}
		}
		a := pickAction(u.r)
		_ = a.do(u, ctx)
	}
}

// anyIssue is one of the team's incidents, now and then the user's own.
func (u *user) anyIssue() string {
	if u.r.IntN(5) == 0 {
		return u.issue
	}
	return pick(u.r, u.sh.issues)
}

func (u *user) list(ctx context.Context) error {
	paths := []string{"/issues", "/issues?sort=updated_at&order=desc", "/issues?status=open", "/issues?severity=critical", "/issues?page=2"}
	_, err := u.b.page(ctx, "GET /issues", pick(u.r, paths))
	return err
}

func (u *user) open(ctx context.Context) error {
	_, err := u.b.page(ctx, "GET /issues/:id", "/issues/"+u.anyIssue())
	return err
}

func (u *user) dashboard(ctx context.Context) error {
	_, err := u.b.page(ctx, "GET /", "/")
	return err
}

// search types into the header search (the dropdown) and, now and then, opens the full results.
func (u *user) search(ctx context.Context) error {
	q := url.Values{"q": {pick(u.r, searchTerms)}}
	if u.r.IntN(4) == 0 {
		_, err := u.b.page(ctx, "GET /search", "/search?"+q.Encode())
		return err
	}
	_, err := u.b.htmx(ctx, "GET /search (dropdown)", http.MethodGet, "/search?"+q.Encode(), views.SearchResultsID, nil, http.StatusOK)
	return err
}

// note adds a timeline note to one of the team's incidents.
func (u *user) note(ctx context.Context) error {
	m := u.marker()
	form := url.Values{"description": {fmt.Sprintf("Checked %s again (%s): error rate back to normal since %02d:%02d.",
		pick(u.r, seedSystems), m, u.r.IntN(24), u.r.IntN(60))}}
	_, err := u.b.htmx(ctx, "POST /issues/:id/timeline", http.MethodPost, "/issues/"+u.anyIssue()+"/timeline", views.TimelineID, form, http.StatusOK)
	u.account(writeNote, m, err)
	return err
}

// account notes a write in the ledger: acknowledged, or failed (aborted ones are neither).
func (u *user) account(k writeKind, marker string, err error) {
	switch {
	case err == nil:
		u.sh.ledger.ack(k, marker)
	case !errors.Is(err, errAborted):
		u.sh.ledger.fail(k)
	}
}

// why answers the next why of the user's own incident; after the fifth, the user opens a new
// incident for the next ones.
func (u *user) why(ctx context.Context) error {
	if u.nextWhy > 5 {
		if err := u.newIncident(ctx); err != nil {
			return err
		}
	}
	m := u.marker()
	form := url.Values{"why_number": {fmt.Sprint(u.nextWhy)}, "question": {fmt.Sprintf("Why did step %d happen?", u.nextWhy)},
		"answer": {fmt.Sprintf("Because %s (%s).", pick(u.r, seedCauses), m)}, "evidence": {"See the attached logs."}}
	_, err := u.b.htmx(ctx, "POST /issues/:id/five-whys", http.MethodPost, "/issues/"+u.issue+"/five-whys", views.FiveWhysID, form, http.StatusOK)
	u.account(writeWhy, m, err)
	if err == nil {
		u.nextWhy++
	}
	return err
}

// hxRedirectIssue reads the incident id from an HX-Redirect to /issues/{id}.
var hxRedirectIssue = regexp.MustCompile(`^/issues/([0-9a-f-]{36})$`)

// newIncident creates the user's next own incident with the new-incident form, and opens it
// as htmx's redirect does.
func (u *user) newIncident(ctx context.Context) error {
	m := u.marker()
	title, desc := incidentText(u.r)
	form := url.Values{"title": {title + " " + m}, "description": {desc}, "severity": {pick(u.r, severities)}, "category": {pick(u.r, categories)}}
	r, err := u.b.htmx(ctx, "POST /issues", http.MethodPost, "/issues", views.IssueFormID, form, http.StatusNoContent)
	if err == nil {
		match := hxRedirectIssue.FindStringSubmatch(r.header.Get("HX-Redirect"))
		if match == nil {
			err = fmt.Errorf("POST /issues: HX-Redirect %q is not an incident", r.header.Get("HX-Redirect"))
		} else {
			u.issue, u.nextWhy, u.docs = match[1], 1, nil
		}
	}
	u.account(writeIssue, m, err)
	if err != nil {
		return err
	}
	_, err = u.b.page(ctx, "GET /issues/:id", "/issues/"+u.issue)
	return err
}

// logLine is a line of the uploaded logs, with the personal data a real log carries.
const logLine = "2026-12-04T%02d:%02d:%02d.%03dZ app=%s level=%s user=%s@example.com client=10.%d.%d.%d msg=%q\n"

// uploadLog uploads a log of a few kB with some personal data to the user's own incident.
func (u *user) uploadLog(ctx context.Context) error {
	m := u.marker()
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n", m)
	for i := 0; b.Len() < 3000+u.r.IntN(3000); i++ {
		fmt.Fprintf(&b, logLine, u.r.IntN(24), u.r.IntN(60), u.r.IntN(60), u.r.IntN(1000), pick(u.r, seedSystems),
			pick(u.r, []string{"INFO", "WARN", "ERROR"}), pick(u.r, []string{"ana", "bo", "chen", "dara"}), u.r.IntN(255), u.r.IntN(255), u.r.IntN(255),
			pick(u.r, seedSymptoms))
	}
	_, err := u.b.upload(ctx, "POST /api/v1/issues/:id/logs", u.issue, m+".log", b.Bytes())
	u.account(writeLog, m, err)
	return err
}

// streamURL finds the reply's event stream in the bubble the chat's POST answers.
var streamURL = regexp.MustCompile(`sse-connect="(/chat/messages/[0-9a-f-]{36}/stream)"`)

// chat sends a message on the user's own incident and follows the reply's event stream to its
// end, as the page does; a reply that changed the incident brings a refresh of the page.
func (u *user) chat(ctx context.Context) error {
	m := u.marker()
	form := url.Values{"message": {fmt.Sprintf("The %s shows %s since the deploy, what should I check first? (%s)",
		pick(u.r, seedSystems), pick(u.r, seedSymptoms), m)}}
	r, err := u.b.htmx(ctx, "POST /issues/:id/chat", http.MethodPost, "/issues/"+u.issue+"/chat", views.ChatLogID, form, http.StatusOK)
	u.account(writeChat, m, err)
	if err != nil {
		return err
	}
	match := streamURL.FindSubmatch(r.body)
	if match == nil {
		err := fmt.Errorf("POST /issues/%s/chat: the answer opens no event stream", u.issue)
		u.b.rec.failCheck("chat answer opens a stream", err.Error())
		return err
	}
	done, err := u.b.stream(ctx, "GET /chat/messages/:id/stream", string(match[1]))
	if err != nil {
		return err
	}
	if !strings.Contains(done, `data-status="complete"`) {
		err := fmt.Errorf("the reply ended %s", abbreviate(done, 200))
		u.b.rec.failCheck("chat reply complete", err.Error())
		return err
	}
	if strings.Contains(done, `data-testid="chat-refresh"`) {
		_, err = u.b.htmx(ctx, "GET /issues/:id (chat refresh)", http.MethodGet, "/issues/"+u.issue, views.TimelineEventsID, nil, http.StatusOK)
	}
	return err
}

// generateRCA generates the RCA of the user's own incident, which the editor then shows.
func (u *user) generateRCA(ctx context.Context) error {
	form := url.Values{"kind": {"rca"}, "_csrf": {u.b.csrf}}
	req, _ := http.NewRequest(http.MethodPost, u.b.base+"/issues/"+u.issue+"/documents", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err := u.b.do(ctx, "POST /issues/:id/documents", req, http.StatusSeeOther)
	if err != nil {
		return err
	}
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, "/documents/") {
		err := fmt.Errorf("POST /issues/%s/documents: sent to %q, not a document", u.issue, loc)
		u.b.rec.failCheck("RCA opens in the editor", err.Error())
		return err
	}
	u.docs = append(u.docs, strings.TrimPrefix(loc, "/documents/"))
	_, err = u.b.page(ctx, "GET /documents/:id", loc)
	return err
}

// exportPDF downloads the PDF of a document: mostly one of the team's RCAs, now and then the
// user's own latest (which is rendered anew when it changed).
func (u *user) exportPDF(ctx context.Context) error {
	doc := ""
	if len(u.docs) > 0 && u.r.IntN(2) == 0 {
		doc = u.docs[len(u.docs)-1]
	} else if len(u.sh.documents) > 0 {
		doc = pick(u.r, u.sh.documents)
	} else {
		return nil
	}
	req, _ := http.NewRequest(http.MethodGet, u.b.base+"/api/v1/documents/"+doc+"/export?format=pdf", nil)
	r, err := u.b.do(ctx, "GET /api/v1/documents/:id/export?format=pdf", req, http.StatusOK)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(r.body, []byte("%PDF-")) {
		err := fmt.Errorf("the export of %s is not a PDF: %q", doc, abbreviate(string(r.body), 60))
		u.b.rec.failCheck("export is a PDF", err.Error())
		return err
	}
	return nil
}
