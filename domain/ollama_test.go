package domain_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"tftsr/domain"
)

func TestValidateOllamaModelName(t *testing.T) {
	for _, ok := range []string{"llama3.2:3b", "llama3.2", "namespace/model:tag", "registry.example.com/ns/model:q4_K_M", "phi3.5:3.8b-mini-instruct"} {
		if msg := domain.ValidateOllamaModelName(ok); msg != "" {
			t.Errorf("%q: %s", ok, msg)
		}
	}
	for _, bad := range []string{"", "llama 3", "llama\x00", "llama\n3", "../etc/passwd", "a/../b", "a..b", ":tag", "/model", "model:", "a:b:c",
		"model?x=1", "-model", "<script>", strings.Repeat("a", 201)} {
		if msg := domain.ValidateOllamaModelName(bad); msg == "" {
			t.Errorf("%q accepted", bad)
		}
	}
	if domain.ValidateOllamaModelName(strings.Repeat("a", 200)) != "" {
		t.Error("200 bytes refused")
	}
}

func TestValidateOllamaURL(t *testing.T) {
	for _, ok := range []string{"http://localhost:11434", "https://ollama.example.com", "http://10.0.0.5:11434/ollama", "http://[::1]:11434"} {
		if msg := domain.ValidateOllamaURL(ok); msg != "" {
			t.Errorf("%q: %s", ok, msg)
		}
	}
	for _, bad := range []string{"", "localhost:11434", "ftp://host", "http://", "http://u:p@host", "http://u@host", "http://h/?q=1", "http://h/?", "http://h/#x",
		"http://h\n", "javascript:alert(1)", "http://:11434", "http://a b"} {
		if msg := domain.ValidateOllamaURL(bad); msg == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestOllamaInstallGuide(t *testing.T) {
	for _, p := range domain.InstallPlatforms {
		g, err := domain.OllamaInstallGuide(p)
		if err != nil || g.Platform != p || !strings.HasPrefix(g.URL, "https://ollama.com/download") || len(g.Steps) < 3 {
			t.Errorf("%s: %+v %v", p, g, err)
		}
	}
	_, err := domain.OllamaInstallGuide("bsd")
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "linux, macos, windows") {
		t.Fatalf("bsd: %v", err)
	}
}

func TestPullTracker(t *testing.T) {
	var tr domain.PullTracker
	steps := []struct {
		line domain.OllamaPullLine
		want int
	}{
		{domain.OllamaPullLine{Status: "pulling manifest"}, 0},
		{domain.OllamaPullLine{Status: "pulling a", Digest: "sha256:a", Total: 100, Completed: 25}, 25},
		{domain.OllamaPullLine{Status: "pulling a", Digest: "sha256:a", Total: 100, Completed: 100}, 100},
		{domain.OllamaPullLine{Status: "pulling b", Digest: "sha256:b", Total: 300, Completed: 0}, 25},
		{domain.OllamaPullLine{Status: "pulling b", Digest: "sha256:b", Total: 300, Completed: 900}, 100}, // clamped
		{domain.OllamaPullLine{Status: "verifying sha256 digest"}, 100},
		{domain.OllamaPullLine{Status: "success"}, 100},
	}
	for i, s := range steps {
		p := tr.Add(s.line)
		if p.Percent != s.want || p.Status != s.line.Status || p.Digest != s.line.Digest {
			t.Errorf("step %d: %+v, want %d%%", i, p, s.want)
		}
	}
	var fresh domain.PullTracker
	if p := fresh.Add(domain.OllamaPullLine{Status: "success"}); p.Percent != 100 {
		t.Errorf("success alone: %+v", p)
	}
}

// fakeOllamaClient records calls and answers from its fields.
type fakeOllamaClient struct {
	urls    []string
	version string
	err     error
	lines   []domain.OllamaPullLine
}

func (f *fakeOllamaClient) Version(_ context.Context, u string) (string, error) {
	f.urls = append(f.urls, u)
	return f.version, f.err
}
func (f *fakeOllamaClient) Models(_ context.Context, u string) ([]domain.OllamaModel, error) {
	f.urls = append(f.urls, u)
	return nil, f.err
}
func (f *fakeOllamaClient) Pull(_ context.Context, u, _ string, on func(domain.OllamaPullLine) error) error {
	f.urls = append(f.urls, u)
	for _, l := range f.lines {
		if err := on(l); err != nil {
			return err
		}
	}
	return f.err
}
func (f *fakeOllamaClient) Delete(_ context.Context, u, _ string) error {
	f.urls = append(f.urls, u)
	return f.err
}

type fakeSettings struct{ st domain.Settings }

func (f *fakeSettings) GetSettings(context.Context) (domain.Settings, error) { return f.st, nil }
func (f *fakeSettings) UpdateSettings(_ context.Context, u domain.SettingsUpdate) (domain.Settings, error) {
	if err := u.Validate(); err != nil {
		return f.st, err
	}
	f.st = u.Apply(f.st)
	return f.st, nil
}

type auditCall struct {
	action, entityID string
	details          any
}

type fakeAudit struct{ calls []auditCall }

func (f *fakeAudit) RecordAudit(_ context.Context, action, _, id string, details any) error {
	f.calls = append(f.calls, auditCall{action, id, details})
	return nil
}

type fakeProbe struct{}

func (fakeProbe) Hardware(context.Context) (*domain.Hardware, error) {
	return &domain.Hardware{TotalRAMBytes: 16 * gib}, nil
}

func TestOllamaService(t *testing.T) {
	admin := domain.NewContextWithUser(context.Background(), &domain.User{ID: "a", Role: domain.RoleAdmin})
	responder := domain.NewContextWithUser(context.Background(), &domain.User{ID: "r", Role: domain.RoleResponder})
	newService := func() (*domain.OllamaService, *fakeOllamaClient, *fakeAudit) {
		st := domain.DefaultSettings()
		st.OllamaURL = "http://gpu-box:11434"
		c, a := &fakeOllamaClient{version: "0.9.0"}, &fakeAudit{}
		return domain.NewOllamaService(&fakeSettings{st: st}, c, fakeProbe{}, a), c, a
	}

	t.Run("ConfiguredURL", func(t *testing.T) {
		s, c, _ := newService()
		st, err := s.Status(admin)
		if err != nil || !st.Reachable || st.Version != "0.9.0" || st.URL != "http://gpu-box:11434" {
			t.Fatalf("%+v %v", st, err)
		}
		if len(c.urls) != 1 || c.urls[0] != "http://gpu-box:11434" {
			t.Fatalf("called %v", c.urls)
		}
	})
	t.Run("Unreachable", func(t *testing.T) {
		s, c, _ := newService()
		c.err = domain.Errorf(domain.EUNAVAILABLE, "Could not connect.")
		st, err := s.Status(admin)
		if err != nil || st.Reachable || st.Error != "Could not connect." {
			t.Fatalf("%+v %v", st, err)
		}
	})
	t.Run("PullAudited", func(t *testing.T) {
		s, c, a := newService()
		c.lines = []domain.OllamaPullLine{{Status: "pulling x", Digest: "d", Total: 10, Completed: 5}, {Status: "success"}}
		var got []int
		if err := s.Pull(admin, "llama3.2:1b", func(p domain.OllamaPullProgress) error { got = append(got, p.Percent); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != 50 || got[1] != 100 {
			t.Fatalf("progress %v", got)
		}
		if len(a.calls) != 1 || a.calls[0].action != "ollama.model_pull" || a.calls[0].entityID != "llama3.2:1b" ||
			a.calls[0].details.(map[string]any)["outcome"] != "success" {
			t.Fatalf("audit %+v", a.calls)
		}
		c.err = domain.Errorf(domain.ENOTFOUND, "no such model")
		if err := s.Pull(admin, "nope:1b", nil); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("err %v", err)
		}
		if len(a.calls) != 2 || a.calls[1].details.(map[string]any)["outcome"] != "failed" {
			t.Fatalf("audit %+v", a.calls)
		}
	})
	t.Run("DeleteAudited", func(t *testing.T) {
		s, c, a := newService()
		if err := s.Delete(admin, "llama3.2:1b"); err != nil || len(a.calls) != 1 || a.calls[0].action != "ollama.model_delete" {
			t.Fatalf("%v %+v", err, a.calls)
		}
		c.err = domain.Errorf(domain.ENOTFOUND, "not found")
		if err := s.Delete(admin, "llama3.2:1b"); domain.ErrorCode(err) != domain.ENOTFOUND || len(a.calls) != 1 {
			t.Fatalf("%v %+v", err, a.calls)
		}
	})
	t.Run("ErrInvalidName", func(t *testing.T) {
		s, c, a := newService()
		for _, err := range []error{s.Pull(admin, "a b", nil), s.Delete(admin, "../x")} {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("err %v", err)
			}
		}
		if len(c.urls) != 0 || len(a.calls) != 0 {
			t.Fatalf("reached the client: %v %v", c.urls, a.calls)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		s, c, _ := newService()
		_, err1 := s.Status(responder)
		_, err2 := s.Models(responder)
		err3 := s.Pull(responder, "llama3.2:1b", nil)
		err4 := s.Delete(responder, "llama3.2:1b")
		_, err5 := s.HardwareReport(responder)
		_, err6 := s.Recommendations(responder)
		_, err7 := s.SetURL(responder, "http://x")
		_, err8 := s.InstallGuide(responder, "linux")
		for i, err := range []error{err1, err2, err3, err4, err5, err6, err7, err8} {
			if domain.ErrorCode(err) != domain.EFORBIDDEN {
				t.Errorf("%d: %v", i, err)
			}
		}
		if len(c.urls) != 0 {
			t.Fatalf("reached the client: %v", c.urls)
		}
	})
	t.Run("SetURL", func(t *testing.T) {
		s, _, _ := newService()
		if u, err := s.SetURL(admin, " https://ollama.example.com/ "); err != nil || u != "https://ollama.example.com" {
			t.Fatalf("%q %v", u, err)
		}
		_, err := s.SetURL(admin, "http://u:p@host")
		var de *domain.Error
		if !errors.As(err, &de) || de.Fields["ollama_url"] == "" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("Recommendations", func(t *testing.T) {
		s, _, _ := newService()
		recs, err := s.Recommendations(admin)
		if err != nil || len(recs) != 6 || !recs[3].Recommended {
			t.Fatalf("%+v %v", recs, err)
		}
	})
}
