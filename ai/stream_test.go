package ai

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tftsr/domain"
)

// newTestFactory returns a factory using f's client.
func newTestFactory(f *fake) *Factory {
	return NewFactory(f.srv.Client())
}

func TestStreamChatStreamsTokensInOrder(t *testing.T) {
	tokens := []string{"Hel", "lo", ", \"world\"", "\n ✓"}
	for _, w := range wires {
		t.Run(w.name(), func(t *testing.T) {
			st := newStreamer(t, w.contentType)
			f := newFake(t, func(rw http.ResponseWriter, r *http.Request) { st.write(rw, r, w.frames(tokens)) })
			m, err := newTestFactory(f).ChatModel(w.config(f, w.usesKey()))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			res, err := m.StreamChat(context.Background(), chatRequest(), st.onToken(&got))
			if err != nil {
				t.Fatalf("StreamChat: %v", err)
			}
			if strings.Join(got, "|") != strings.Join(tokens, "|") {
				t.Errorf("tokens = %q, want %q", got, tokens)
			}
			if res.Usage != (domain.ChatUsage{InputTokens: 11, OutputTokens: 7}) || len(res.ToolCalls) != 0 {
				t.Errorf("result = %+v, want 11 in and 7 out and no tool calls", res)
			}
			w.checkRequest(t, f.last(t), w.usesKey())
		})
	}
}

func TestStreamChatMapsHTTPErrors(t *testing.T) {
	tests := []struct {
		status  int
		message string
	}{
		{401, "The provider refused the API key (401)."},
		{403, "The provider refused the API key (403)."},
		{404, "The model %s was not found at the provider."},
		{429, "The provider is rate limiting requests; try again shortly."},
		{500, "The provider failed (500)."},
		{503, "The provider failed (503)."},
		{400, "The provider rejected the request (400): Bad thing about key [redacted]."},
	}
	for _, w := range wires {
		for _, tt := range tests {
			t.Run(w.name()+"/"+http.StatusText(tt.status), func(t *testing.T) {
				f := newFake(t, func(rw http.ResponseWriter, r *http.Request) {
					rw.Header().Set("Content-Type", "application/json")
					rw.WriteHeader(tt.status)
					// Real providers echo part of a bad key; this one echoes all of it.
					rw.Write([]byte(w.errorBody(tt.status, "Bad thing about key "+testKey+".")))
				})
				m, err := newTestFactory(f).ChatModel(w.config(f, true))
				if err != nil {
					t.Fatal(err)
				}
				called := false
				_, err = m.StreamChat(context.Background(), chatRequest(), func(string) error { called = true; return nil })
				want := tt.message
				if strings.Contains(want, "%s") {
					want = strings.ReplaceAll(want, "%s", w.model)
				}
				assertEqual(t, "code", domain.ErrorCode(err), domain.EUNAVAILABLE)
				assertEqual(t, "message", domain.ErrorMessage(err), want)
				assertNoKey(t, err)
				if called {
					t.Error("onToken was called for a failed request")
				}
			})
		}
	}
}

func TestStreamChatKeepsTokensBeforeAMidStreamError(t *testing.T) {
	for _, w := range wires {
		t.Run(w.name(), func(t *testing.T) {
			st := newStreamer(t, w.contentType)
			f := newFake(t, func(rw http.ResponseWriter, r *http.Request) {
				st.write(rw, r, w.failing([]string{"Par", "tial"}, "Overloaded, key "+testKey))
			})
			m, err := newTestFactory(f).ChatModel(w.config(f, true))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			_, err = m.StreamChat(context.Background(), chatRequest(), st.onToken(&got))
			if strings.Join(got, "") != "Partial" {
				t.Errorf("tokens = %q, want Par and tial", got)
			}
			assertEqual(t, "code", domain.ErrorCode(err), domain.EUNAVAILABLE)
			assertEqual(t, "message", domain.ErrorMessage(err), "The provider stopped with an error: Overloaded, key [redacted]")
			assertNoKey(t, err)
		})
	}
}

// blockingStream sends the first frames of a reply with one token, then holds the connection
// open until the client leaves, reporting that on gone.
func blockingStream(w wire, gone chan<- struct{}) func(http.ResponseWriter, *http.Request) {
	return func(rw http.ResponseWriter, r *http.Request) {
		frames := w.frames([]string{"first"})
		rw.Header().Set("Content-Type", w.contentType)
		rw.WriteHeader(http.StatusOK)
		for _, fr := range frames {
			rw.Write([]byte(fr.raw))
			if fr.token {
				break
			}
		}
		flush(rw)
		select {
		case <-r.Context().Done():
			close(gone)
		case <-time.After(30 * time.Second):
		}
	}
}

func TestStreamChatStopsWhenTheCallerCancels(t *testing.T) {
	for _, w := range wires {
		t.Run(w.name(), func(t *testing.T) {
			gone := make(chan struct{})
			f := newFake(t, blockingStream(w, gone))
			m, err := newTestFactory(f).ChatModel(w.config(f, true))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var got []string
			done := make(chan error, 1)
			go func() {
				_, err := m.StreamChat(ctx, chatRequest(), func(tok string) error {
					got = append(got, tok)
					cancel() // The user pressed stop after the first token.
					return nil
				})
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("StreamChat did not return after cancel")
			}
			assertEqual(t, "tokens", strings.Join(got, ""), "first")
			select {
			case <-gone:
			case <-time.After(10 * time.Second):
				t.Error("the connection stayed open after cancel")
			}
		})
	}
}

func TestStreamChatTimesOutAStalledStream(t *testing.T) {
	for _, w := range wires {
		t.Run(w.name(), func(t *testing.T) {
			gone := make(chan struct{})
			f := newFake(t, blockingStream(w, gone))
			cfg := w.config(f, true)
			cfg.Timeout = 300 * time.Millisecond
			m, err := newTestFactory(f).ChatModel(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			_, err = m.StreamChat(context.Background(), chatRequest(), func(tok string) error { got = append(got, tok); return nil })
			assertEqual(t, "tokens", strings.Join(got, ""), "first")
			assertEqual(t, "code", domain.ErrorCode(err), domain.EUNAVAILABLE)
			assertEqual(t, "message", domain.ErrorMessage(err), "The provider did not answer in time.")
		})
	}
}

func TestStreamChatTimesOutWaitingForHeaders(t *testing.T) {
	for _, w := range wires {
		if w.kind == domain.ProviderOllama {
			continue // Ollama may load a model for minutes before it answers.
		}
		t.Run(w.name(), func(t *testing.T) {
			f := newFake(t, func(rw http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(30 * time.Second):
				}
			})
			fac := newTestFactory(f)
			fac.FirstByteTimeout = 200 * time.Millisecond
			m, err := fac.ChatModel(w.config(f, true))
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.StreamChat(context.Background(), chatRequest(), func(string) error { return nil })
			assertEqual(t, "message", domain.ErrorMessage(err), noAnswer(f.srv.URL+w.base))
		})
	}
}

// noAnswer is the message of a provider at url that never answered.
func noAnswer(url string) string {
	return "No answer from the provider at " + url + ": it could not be reached, or did not answer in time. Check the address, and that this server can reach it."
}

// TestStreamChatTellsNoPortState: a closed port, a port that accepts and never answers and one
// that accepts and hangs up read the same, so that testing a provider URL does not tell an admin
// which ports are open on hosts only the server can reach.
func TestStreamChatTellsNoPortState(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	listen := func(handle func(net.Conn)) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go handle(c)
			}
		}()
		return l.Addr().String()
	}
	silent := listen(func(c net.Conn) { io.Copy(io.Discard, c) })
	hangsUp := listen(func(c net.Conn) { c.Read(make([]byte, 1)); c.Close() })
	for _, w := range wires {
		if w.kind == domain.ProviderOllama {
			continue // Ollama gets no first-byte timeout: it may load a model for minutes.
		}
		t.Run(w.name(), func(t *testing.T) {
			for _, addr := range []string{closedAddr, silent, hangsUp} {
				fac := NewFactory(nil)
				fac.FirstByteTimeout = 200 * time.Millisecond
				url := "http://" + addr + w.base
				m, err := fac.ChatModel(domain.ProviderConfig{Kind: w.kind, BaseURL: url, Model: w.model, APIKey: testKey})
				if err != nil {
					t.Fatal(err)
				}
				_, err = m.StreamChat(context.Background(), chatRequest(), func(string) error { return nil })
				assertEqual(t, "code", domain.ErrorCode(err), domain.EUNAVAILABLE)
				assertEqual(t, "message at "+addr, domain.ErrorMessage(err), noAnswer(url))
			}
		})
	}
}

func TestStreamChatReportsAnUnreachableProvider(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // Nothing listens there any more: connections are refused.
	for _, w := range wires {
		t.Run(w.name(), func(t *testing.T) {
			cfg := domain.ProviderConfig{Kind: w.kind, BaseURL: "http://" + addr + w.base, Model: w.model, APIKey: testKey}
			m, err := NewFactory(nil).ChatModel(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.StreamChat(context.Background(), chatRequest(), func(string) error { return nil })
			assertEqual(t, "code", domain.ErrorCode(err), domain.EUNAVAILABLE)
			assertEqual(t, "message", domain.ErrorMessage(err), noAnswer("http://"+addr+w.base))
			assertNoKey(t, err)
		})
	}
}

func TestStreamChatReturnsTheCallbackError(t *testing.T) {
	stop := errors.New("client went away")
	for _, w := range wires {
		t.Run(w.name(), func(t *testing.T) {
			gone := make(chan struct{})
			f := newFake(t, blockingStream(w, gone))
			m, err := newTestFactory(f).ChatModel(w.config(f, true))
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.StreamChat(context.Background(), chatRequest(), func(string) error { return stop })
			if !errors.Is(err, stop) {
				t.Errorf("err = %v, want the callback's error", err)
			}
			select {
			case <-gone:
			case <-time.After(10 * time.Second):
				t.Error("the connection stayed open after the callback failed")
			}
		})
	}
}

func TestStreamChatSendsOneSystemMessageFirst(t *testing.T) {
	req := domain.ChatRequest{Messages: []domain.ChatMessage{
		{Role: domain.RoleSystem, Content: "Persona."},
		{Role: domain.RoleSystem, Content: "Category prompt."},
		{Role: domain.RoleUser, Content: "Hello"},
		{Role: domain.RoleSystem, Content: "Sources."},
	}}
	const want = "Persona.\n\nCategory prompt.\n\nSources."
	for _, w := range wires {
		t.Run(w.name(), func(t *testing.T) {
			st := newStreamer(t, w.contentType)
			f := newFake(t, func(rw http.ResponseWriter, r *http.Request) { st.write(rw, r, w.frames([]string{"ok"})) })
			m, err := newTestFactory(f).ChatModel(w.config(f, true))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if _, err := m.StreamChat(context.Background(), req, st.onToken(&got)); err != nil {
				t.Fatal(err)
			}
			b := f.last(t).body
			switch w.kind {
			case domain.ProviderAnthropic:
				assertEqual(t, "system", get(b, "system", 0, "text"), want)
				assertEqual(t, "messages", length(b["messages"]), 1)
			case domain.ProviderGemini:
				assertEqual(t, "systemInstruction", get(b, "systemInstruction", "parts", 0, "text"), want)
				assertEqual(t, "contents", length(b["contents"]), 1)
			default:
				assertEqual(t, "messages", length(b["messages"]), 2)
				assertEqual(t, "messages[0].role", get(b, "messages", 0, "role"), "system")
				assertEqual(t, "messages[0].content", get(b, "messages", 0, "content"), want)
				assertEqual(t, "messages[1].role", get(b, "messages", 1, "role"), "user")
			}
		})
	}
}

// TestStreamChatFollowsNoRedirectToAnotherHost: a provider that answers 307 to another host
// gets an error, and the other host never sees the key or the prompt; a redirect on the same
// host is followed.
func TestStreamChatFollowsNoRedirectToAnotherHost(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		http.Error(w, "{}", http.StatusTeapot)
	}))
	defer other.Close()
	for _, w := range wires {
		t.Run(w.name(), func(t *testing.T) {
			elsewhere.Store(0)
			redirector := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				http.Redirect(rw, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			}))
			defer redirector.Close()
			cfg := domain.ProviderConfig{Kind: w.kind, BaseURL: redirector.URL + w.base, Model: w.model, APIKey: testKey}
			m, err := NewFactory(nil).ChatModel(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.StreamChat(context.Background(), chatRequest(), func(string) error { return nil })
			if err == nil {
				t.Fatal("a redirect to another host was followed to a reply")
			}
			assertNoKey(t, err)
			if n := elsewhere.Load(); n != 0 {
				t.Errorf("the other host got %d requests", n)
			}
		})
	}
	t.Run("same host", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, "http://a.example/v1/x", nil)
		next, _ := http.NewRequest(http.MethodPost, "http://a.example/v2/x", nil)
		if err := sameHostRedirects(next, []*http.Request{req}); err != nil {
			t.Errorf("same-host redirect refused: %v", err)
		}
		far, _ := http.NewRequest(http.MethodPost, "http://b.example/v1/x", nil)
		if err := sameHostRedirects(far, []*http.Request{req}); err != errRedirectElsewhere {
			t.Errorf("cross-host redirect: %v", err)
		}
	})
}
