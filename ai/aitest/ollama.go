package aitest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Ollama is a fake Ollama server on loopback that speaks its admin API: /api/version, /api/tags,
// the NDJSON stream of /api/pull and /api/delete, with the errors of the real one. It records
// every request as "METHOD /path". Pulling "missing:1b" fails in the stream and "broken:1b"
// with a status; any other name is pulled in seven progress lines, the second of which is at
// 25%.
type Ollama struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
	models   map[string]bool
	hold     chan struct{}
}

// NewOllama starts the fake with the models installed.
func NewOllama(t testing.TB, models ...string) *Ollama {
	t.Helper()
	f := &Ollama{models: map[string]bool{}}
	for _, m := range models {
		f.models[m] = true
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// Hold makes pulls wait after their second progress line until the returned function is called.
func (f *Ollama) Hold() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.hold = ch
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(ch)
			f.mu.Lock()
			f.hold = nil
			f.mu.Unlock()
		})
	}
}

// Requests returns the requests received so far.
func (f *Ollama) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// Installed reports whether a model is installed.
func (f *Ollama) Installed(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.models[name]
}

func (f *Ollama) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct{ Model string }
	_ = json.Unmarshal(body, &req)
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	hold := f.hold
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.Method + " " + r.URL.Path {
	case "GET /api/version":
		_, _ = io.WriteString(w, `{"version":"0.6.2"}`)
	case "GET /api/tags":
		f.mu.Lock()
		var names []string
		for n := range f.models {
			names = append(names, n)
		}
		f.mu.Unlock()
		sort.Strings(names)
		var items []string
		for _, n := range names {
			items = append(items, `{"name":"`+n+`","model":"`+n+`","modified_at":"2026-11-01T10:20:30Z","size":2019393189,"digest":"a80c4f17","details":{"parameter_size":"3.2B","quantization_level":"Q4_K_M"}}`)
		}
		_, _ = io.WriteString(w, `{"models":[`+strings.Join(items, ",")+`]}`)
	case "POST /api/pull":
		switch req.Model {
		case "missing:1b":
			w.Header().Set("Content-Type", "application/x-ndjson")
			_, _ = io.WriteString(w, `{"status":"pulling manifest"}`+"\n"+`{"error":"pull model manifest: file does not exist"}`+"\n")
			return
		case "broken:1b":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":"mkdir /root/.ollama: read-only file system"}`)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		for i, l := range []string{
			`{"status":"pulling manifest"}`,
			`{"status":"pulling dde5aa3fc5ff","digest":"sha256:dde5aa3fc5ff","total":2000,"completed":500}`,
			`{"status":"pulling dde5aa3fc5ff","digest":"sha256:dde5aa3fc5ff","total":2000,"completed":1500}`,
			`{"status":"pulling 966de95ca8a6","digest":"sha256:966de95ca8a6","total":2000,"completed":2000}`,
			`{"status":"verifying sha256 digest"}`,
			`{"status":"writing manifest"}`,
			`{"status":"success"}`,
		} {
			_, _ = io.WriteString(w, l+"\n")
			w.(http.Flusher).Flush()
			if i == 1 && hold != nil {
				select {
				case <-hold:
				case <-r.Context().Done():
					return
				}
			}
		}
		f.mu.Lock()
		f.models[req.Model] = true
		f.mu.Unlock()
	case "DELETE /api/delete":
		f.mu.Lock()
		ok := f.models[req.Model]
		delete(f.models, req.Model)
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"model '`+req.Model+`' not found"}`)
		}
	default:
		http.NotFound(w, r)
	}
}
