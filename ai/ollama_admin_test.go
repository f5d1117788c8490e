package ai

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tftsr/domain"
)

// fakeOllamaServer speaks Ollama's administration API on loopback and records the requests.
type fakeOllamaServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string // "METHOD /path body"
}

// pullLines are the NDJSON lines of a good pull, as Ollama sends them.
var pullLines = []string{
	`{"status":"pulling manifest"}`,
	`{"status":"pulling 74701a8c35f6","digest":"sha256:74701a8c35f6","total":1000,"completed":0}`,
	`{"status":"pulling 74701a8c35f6","digest":"sha256:74701a8c35f6","total":1000,"completed":400}`,
	`{"status":"pulling 74701a8c35f6","digest":"sha256:74701a8c35f6","total":1000,"completed":1000}`,
	`{"status":"verifying sha256 digest"}`,
	`{"status":"writing manifest"}`,
	`{"status":"success"}`,
}

func newFakeOllamaServer(t *testing.T, release <-chan struct{}) *fakeOllamaServer {
	t.Helper()
	f := &fakeOllamaServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.Path+" "+string(body))
		f.mu.Unlock()
		var req struct{ Model string }
		_ = json.Unmarshal(body, &req)
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/version":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"version":"0.6.2"}`)
		case r.Method == http.MethodGet && r.URL.Path == "/api/tags":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"models":[{"name":"llama3.2:3b","model":"llama3.2:3b","modified_at":"2026-11-01T10:20:30.123456789+01:00",`+
				`"size":2019393189,"digest":"a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",`+
				`"details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"3.2B","quantization_level":"Q4_K_M"}}]}`)
		case r.Method == http.MethodPost && r.URL.Path == "/api/pull":
			switch req.Model {
			case "missing:1b":
				w.Header().Set("Content-Type", "application/x-ndjson")
				_, _ = io.WriteString(w, pullLines[0]+"\n"+`{"error":"pull model manifest: file does not exist"}`+"\n")
			case "broken:1b":
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, `{"error":"disk full"}`)
			case "cut:1b":
				w.Header().Set("Content-Type", "application/x-ndjson")
				_, _ = io.WriteString(w, pullLines[0]+"\n"+pullLines[1]+"\n")
			default:
				w.Header().Set("Content-Type", "application/x-ndjson")
				for i, l := range pullLines {
					_, _ = io.WriteString(w, l+"\n")
					w.(http.Flusher).Flush()
					if i == 2 && release != nil {
						<-release // a slow line: the rest waits until the test has seen this one
					}
				}
			}
		case r.Method == http.MethodDelete && r.URL.Path == "/api/delete":
			if req.Model != "llama3.2:3b" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				_, _ = io.WriteString(w, `{"error":"model '`+req.Model+`' not found"}`)
				return
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeOllamaServer) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func TestOllamaAdmin_Version(t *testing.T) {
	f := newFakeOllamaServer(t, nil)
	o := NewOllamaAdmin(nil)
	v, err := o.Version(context.Background(), f.URL+"/")
	if err != nil || v != "0.6.2" {
		t.Fatalf("%q %v", v, err)
	}
	if got := f.seen(); len(got) != 1 || got[0] != "GET /api/version " {
		t.Fatalf("requests %q", got)
	}

	t.Run("ErrRefused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		_, err = o.Version(context.Background(), "http://"+addr)
		if domain.ErrorCode(err) != domain.EUNAVAILABLE || domain.ErrorMessage(err) != ollamaNoAnswer("http://"+addr) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ErrTimeout", func(t *testing.T) {
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}))
		defer slow.Close()
		o := NewOllamaAdmin(nil)
		o.StatusTimeout = 100 * time.Millisecond
		_, err := o.Version(context.Background(), slow.URL)
		// The same words as a refused connection: the test tells no port's state.
		if domain.ErrorCode(err) != domain.EUNAVAILABLE || domain.ErrorMessage(err) != ollamaNoAnswer(slow.URL) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ErrNotOllama", func(t *testing.T) {
		for _, h := range []http.HandlerFunc{
			func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "<html>router login</html>") },
			func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"status":"ok"}`) },
			func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
		} {
			srv := httptest.NewServer(h)
			_, err := o.Version(context.Background(), srv.URL)
			srv.Close()
			if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "like Ollama") {
				t.Errorf("%v", err)
			}
		}
	})
	t.Run("ErrNoHost", func(t *testing.T) {
		_, err := o.Version(context.Background(), "http://no-such-host.invalid:11434")
		if domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Fatalf("%v", err)
		}
	})
}

func TestOllamaAdmin_Models(t *testing.T) {
	f := newFakeOllamaServer(t, nil)
	models, err := NewOllamaAdmin(nil).Models(context.Background(), f.URL)
	if err != nil || len(models) != 1 {
		t.Fatalf("%+v %v", models, err)
	}
	m := models[0]
	if m.Name != "llama3.2:3b" || m.Size != 2019393189 || m.ParameterSize != "3.2B" || m.Quantization != "Q4_K_M" ||
		!strings.HasPrefix(m.Digest, "a80c4f") || m.ModifiedAt.Format(time.RFC3339) != "2026-11-01T09:20:30Z" {
		t.Fatalf("%+v", m)
	}
	if got := f.seen(); len(got) != 1 || got[0] != "GET /api/tags " {
		t.Fatalf("requests %q", got)
	}
}

func TestOllamaAdmin_Pull(t *testing.T) {
	release := make(chan struct{})
	f := newFakeOllamaServer(t, release)
	o := NewOllamaAdmin(nil)
	var lines []domain.OllamaPullLine
	err := o.Pull(context.Background(), f.URL, "llama3.2:1b", func(l domain.OllamaPullLine) error {
		lines = append(lines, l)
		if l.Completed == 400 {
			close(release) // the stream arrived line by line: the rest is sent only now
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != len(pullLines) || lines[2] != (domain.OllamaPullLine{Status: "pulling 74701a8c35f6", Digest: "sha256:74701a8c35f6", Total: 1000, Completed: 400}) ||
		lines[len(lines)-1].Status != "success" {
		t.Fatalf("%+v", lines)
	}
	if got := f.seen(); len(got) != 1 || got[0] != `POST /api/pull {"model":"llama3.2:1b","stream":true}` {
		t.Fatalf("requests %q", got)
	}

	t.Run("ErrLineMidStream", func(t *testing.T) {
		n := 0
		err := o.Pull(context.Background(), f.URL, "missing:1b", func(domain.OllamaPullLine) error { n++; return nil })
		if domain.ErrorCode(err) != domain.ENOTFOUND || !strings.Contains(domain.ErrorMessage(err), "pull model manifest: file does not exist") || n != 1 {
			t.Fatalf("%v after %d lines", err, n)
		}
	})
	t.Run("ErrStatus", func(t *testing.T) {
		err := o.Pull(context.Background(), f.URL, "broken:1b", func(domain.OllamaPullLine) error { return nil })
		if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "disk full") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ErrCut", func(t *testing.T) {
		err := o.Pull(context.Background(), f.URL, "cut:1b", func(domain.OllamaPullLine) error { return nil })
		if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "before it finished") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("Canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		hold := make(chan struct{})
		defer close(hold)
		g := newFakeOllamaServer(t, hold)
		err := o.Pull(ctx, g.URL, "llama3.2:1b", func(l domain.OllamaPullLine) error {
			if l.Completed == 400 {
				cancel()
			}
			return nil
		})
		if err == nil {
			t.Fatal("no error")
		}
	})
}

func TestOllamaAdmin_Delete(t *testing.T) {
	f := newFakeOllamaServer(t, nil)
	o := NewOllamaAdmin(nil)
	if err := o.Delete(context.Background(), f.URL, "llama3.2:3b"); err != nil {
		t.Fatal(err)
	}
	err := o.Delete(context.Background(), f.URL, "gone:1b")
	if domain.ErrorCode(err) != domain.ENOTFOUND || !strings.Contains(domain.ErrorMessage(err), "gone:1b") {
		t.Fatalf("%v", err)
	}
	if got := f.seen(); len(got) != 2 || got[0] != `DELETE /api/delete {"model":"llama3.2:3b"}` {
		t.Fatalf("requests %q", got)
	}
}

func TestParseNvidiaSMI(t *testing.T) {
	out := "NVIDIA GeForce RTX 3090, 24576\n\n  Tesla T4 , 15360 \r\nWeird, Inc. Card, [N/A]\n, 100\nNoMemory\n"
	got := parseNvidiaSMI([]byte(out))
	want := []domain.GPU{
		{Vendor: "NVIDIA", Name: "NVIDIA GeForce RTX 3090", VRAMBytes: 24576 << 20},
		{Vendor: "NVIDIA", Name: "Tesla T4", VRAMBytes: 15360 << 20},
		{Vendor: "NVIDIA", Name: "Weird, Inc. Card"},
		{Vendor: "NVIDIA", Name: "NoMemory"},
	}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if parseNvidiaSMI(nil) != nil {
		t.Error("empty output gave GPUs")
	}
}

func TestHostProbe(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "nvidia-smi")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n[ \"$1\" = --query-gpu=name,memory.total ] || exit 3\necho 'NVIDIA A100-SXM4-40GB, 40960'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := NewHostProbe()
	p.NvidiaSMI = script
	hw, err := p.Hardware(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if hw.TotalRAMBytes == 0 || hw.CPUThreads == 0 || hw.CPUCores == 0 || hw.Arch == "" || hw.OS == "" {
		t.Fatalf("%+v", hw)
	}
	if len(hw.GPUs) != 1 || hw.GPUs[0].VRAMBytes != 40960<<20 {
		t.Fatalf("gpus %+v", hw.GPUs)
	}

	t.Run("SlowNvidiaSMI", func(t *testing.T) {
		slow := filepath.Join(dir, "slow-smi")
		if err := os.WriteFile(slow, []byte("#!/bin/sh\nexec sleep 10\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		p := NewHostProbe()
		p.NvidiaSMI, p.GPUQueryTimeout = slow, 200*time.Millisecond
		hw, err := p.Hardware(context.Background())
		if err != nil || len(hw.GPUs) != 0 {
			t.Fatalf("%+v %v", hw, err)
		}
	})
	t.Run("NoNvidiaSMI", func(t *testing.T) {
		p := NewHostProbe()
		p.NvidiaSMI = filepath.Join(dir, "absent")
		hw, err := p.Hardware(context.Background())
		if err != nil || hw.GPUs == nil || len(hw.GPUs) != 0 {
			t.Fatalf("%+v %v", hw, err)
		}
	})
}

// ollamaNoAnswer is the message of an Ollama server at url that never answered.
func ollamaNoAnswer(url string) string {
	return "No answer from Ollama at " + url + ": it could not be reached, or did not answer in time. Check that Ollama runs there and that this server can reach it."
}
