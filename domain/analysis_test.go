package domain_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

func (s *chatStore) AddAnalysisTurn(ctx context.Context, issueID, config, model string, prompt domain.RedactedText, logIDs []string) (*domain.ConversationMessage, *domain.ConversationMessage, error) {
	u, r, err := s.AddChatTurn(ctx, issueID, config, model, prompt, domain.RedactedText{})
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		if m.ID == u.ID {
			m.Kind, m.LogFileIDs = domain.MessageKindAnalysis, logIDs
		}
	}
	u.Kind, u.LogFileIDs = domain.MessageKindAnalysis, logIDs
	return u, r, nil
}

// analysisLogs is the in-memory log store with the logs of an incident listed.
type analysisLogs struct{ *memLogs }

func (a analysisLogs) FindLogs(ctx context.Context, f domain.LogFilter) ([]*domain.LogFile, int, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, 0, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []*domain.LogFile
	for _, l := range a.logs {
		if l.IssueID == f.IssueID {
			cp := *l
			out = append(out, &cp)
		}
	}
	slices.SortFunc(out, func(x, y *domain.LogFile) int { return strings.Compare(y.ID, x.ID) })
	return out, len(out), nil
}

// analysisLog is a log full of secrets around an error.
func analysisLog(lines int) string {
	var b strings.Builder
	for i := 1; i <= lines; i++ {
		ts := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		switch {
		case i == lines/2:
			fmt.Fprintf(&b, "%s ERROR login failed for grace.hopper@example.com password=Hunter2Secret! token=Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2VjcmV0\n", ts)
		case i%50 == 0:
			fmt.Fprintf(&b, "%s WARN aws key AKIAIOSFODNN7EXAMPLE used from 198.51.100.%d\n", ts, i%250)
		default:
			fmt.Fprintf(&b, "%s INFO request %d served for user%d@example.com in %dms\n", ts, i, i%7, i%300)
		}
	}
	return b.String()
}

var secretValues = []string{"grace.hopper@example.com", "Hunter2Secret!", "eyJhbGciOiJIUzI1NiJ9", "AKIAIOSFODNN7EXAMPLE", "198.51.100.", "@example.com"}

func TestAnalyze(t *testing.T) {
	logs := newLogFixture(t, domain.LogLimits{})
	logs.store.issues["other"] = true
	f := newChatFixtureGate(t, domain.NewRedactionGate(analysisLogs{logs.store}, logs.blobs))
	f.issues.issue.ID = "inc-1"
	app := logs.mustUpload(t, "app.log", []byte(analysisLog(400)))[0]
	db := logs.mustUpload(t, "db.log", []byte("2026-11-28T07:00:00Z FATAL could not connect to server: Connection refused\n"))[0]
	other, err := logs.svc.UploadLog(logs.responder, "other", "other.log", strings.NewReader("hello\n"))
	if err != nil {
		t.Fatal(err)
	}

	u, r, err := f.svc.Analyze(f.ctx, "inc-1", []string{app.ID, db.ID, app.ID}, "")
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if u.Kind != domain.MessageKindAnalysis || !slices.Equal(u.LogFileIDs, []string{app.ID, db.ID}) || r.Status != domain.MessageStreaming {
		t.Fatalf("turn = %+v / %+v", u, r)
	}
	for _, want := range []string{"### app.log (400 lines, 29 KB, redacted: auto)", "### db.log (1 lines", "Log digest:", "Relevant lines:",
		"Proposed Why 1:", "app.log:200: ", "db.log:1: 2026-11-28T07:00:00Z FATAL could not connect"} {
		if !strings.Contains(u.Content, want) {
			t.Errorf("prompt lacks %q:\n%s", want, u.Content)
		}
	}
	for _, s := range secretValues {
		if strings.Contains(u.Content, s) {
			t.Errorf("prompt holds %q", s)
		}
	}
	if len(u.Content) > domain.AnalysisPromptBudget {
		t.Errorf("prompt of %d bytes", len(u.Content))
	}
	if !slices.Contains(u.PIITypes, "Email") || !slices.Contains(u.PIITypes, "Password") {
		t.Errorf("pii types = %v", u.PIITypes)
	}
	// The cited line numbers are the log's.
	for _, m := range regexp.MustCompile(`(?m)^app\.log:(\d+): (.*)$`).FindAllStringSubmatch(u.Content, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		if want := strings.Split(analysisLog(400), "\n")[n-1]; !strings.HasPrefix(want, m[2][:20]) {
			t.Errorf("line %d reads %q, the log has %q", n, m[2], want)
		}
	}

	// The reply streams through Stream: one system message with the logs' digest, then the prompt.
	done, err := f.svc.Stream(f.ctx, r.ID, nil)
	if err != nil || done.Status != domain.MessageComplete {
		t.Fatalf("Stream: %+v %v", done, err)
	}
	req := f.model.reqs[len(f.model.reqs)-1]
	if len(req.Messages) != 2 || req.Messages[0].Role != domain.RoleSystem || req.Messages[1].Content != u.Content {
		t.Fatalf("request = %+v", req.Messages)
	}
	sys := req.Messages[0].Content
	if !strings.Contains(sys, "## Uploaded logs") || !strings.Contains(sys, "### app.log") || !strings.Contains(sys, "### db.log") ||
		len(sys) > len(domain.TriageSystemPrompt(f.issues.issue, nil))+domain.SystemDigestBudget+200 {
		t.Errorf("system message:\n%s", sys)
	}
	for _, m := range req.Messages {
		for _, s := range secretValues {
			if strings.Contains(m.Content, s) {
				t.Errorf("%s message holds %q", m.Role, s)
			}
		}
	}

	for _, tc := range []struct {
		name string
		ctx  context.Context
		ids  []string
		code string
		msg  string
	}{
		{"no logs", f.ctx, nil, domain.EINVALID, "at least one"},
		{"too many", f.ctx, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}, domain.EINVALID, "at most 10"},
		{"unknown", f.ctx, []string{"nope"}, domain.EINVALID, `"nope"`},
		{"another incident's", f.ctx, []string{app.ID, other[0].ID}, domain.EINVALID, "other.log"},
		{"viewer", logs.viewer, []string{app.ID}, domain.EFORBIDDEN, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := f.svc.Analyze(tc.ctx, "inc-1", tc.ids, "")
			wantCode(t, err, tc.code, tc.msg)
		})
	}
}

// BenchmarkAnalyzePrompt measures a whole analysis of a 64 MB log up to the stored prompt: the
// gate reads and redacts the text (the first AnalysisTextBytes of it), the miner digests it and
// the relevant lines are picked. MB/s counts the text read. Run with
//
//	go test ./domain -run '^$' -bench BenchmarkAnalyzePrompt -benchtime 3x
func BenchmarkAnalyzePrompt(b *testing.B) {
	const size = 64 << 20
	store := newMemLogs("inc-1")
	blobs := newRecBlobs()
	logs := domain.NewLogService(store, blobs, domain.LogLimits{})
	logs.TempDir = b.TempDir()
	ctx := domain.NewContextWithUser(context.Background(), &domain.User{ID: "u", Role: domain.RoleResponder})
	l, err := logs.UploadLog(ctx, "inc-1", "big.log", &logGenerator{left: size})
	if err != nil {
		b.Fatal(err)
	}
	chat := &chatStore{}
	svc := domain.NewChatService(
		newTestProviders(b, &chatProviders{cfgs: []*domain.ProviderConfig{{Name: "local", Kind: domain.ProviderOllama, Model: "llama3"}}}, &fakeModel{}),
		domain.NewRedactionGate(analysisLogs{store}, blobs), chat,
		&chatIssues{issue: &domain.Issue{ID: "inc-1", Title: "Big log"}})
	b.SetBytes(min(size, domain.AnalysisTextBytes))
	b.ReportAllocs()
	var u *domain.ConversationMessage
	for b.Loop() {
		if u, _, err = svc.Analyze(ctx, "inc-1", []string{l[0].ID}, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(u.Content)), "prompt-bytes")
	if !strings.Contains(u.Content, "big.log:") || len(u.Content) > domain.AnalysisPromptBudget {
		b.Fatalf("prompt of %d bytes:\n%s", len(u.Content), u.Content)
	}
}
