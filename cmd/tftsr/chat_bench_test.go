package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// benchFake is an OpenAI-compatible provider on loopback that streams n tokens as fast as it can.
func benchFake(b *testing.B, n int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		bw := bufio.NewWriter(w)
		for i := range n {
			fmt.Fprintf(bw, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok%d \"},\"finish_reason\":null}]}\n\n", i)
			if i == 0 {
				bw.Flush()
				w.(http.Flusher).Flush()
			}
		}
		fmt.Fprint(bw, "data: [DONE]\n\n")
		bw.Flush()
	}))
	b.Cleanup(srv.Close)
	return srv
}

// streamTimes sends req and reads its event stream: the time to the first line that starts with
// first, and to the end of the stream, counting the lines that start with count.
func streamTimes(b *testing.B, req *http.Request, first, count string) (ttft, total time.Duration, n int) {
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		b.Fatalf("%s: %d %s", req.URL, resp.StatusCode, body)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if ttft == 0 && strings.HasPrefix(line, first) {
			ttft = time.Since(start)
		}
		if strings.HasPrefix(line, count) {
			n++
		}
	}
	return ttft, time.Since(start), n
}

// benchPortal starts the portal with a provider config pointing at fake.
func benchPortal(b *testing.B, fake *httptest.Server) (*portal, string) {
	p := startPortal(b)
	token := p.apiToken(b)
	cfg, _ := json.Marshal(map[string]any{"kind": "openai", "base_url": fake.URL + "/v1", "model": "gpt-bench", "api_key": "sk-bench-0123456789abcdef"})
	p.apiCall(b, token, http.MethodPut, "/api/v1/ai/configs/bench", "application/json", strings.NewReader(string(cfg)), nil)
	return p, token
}

// chatRequest is a streamed chat message to a new incident of the portal, so that every request
// carries the same history. With earlier turns, the incident first gets that many turns (the
// first turn of an incident also starts its triage, which later ones do not).
func chatRequest(b *testing.B, p *portal, token string, earlier int) *http.Request {
	var issue struct{ ID string }
	p.apiCall(b, token, http.MethodPost, "/api/v1/issues", "application/json",
		strings.NewReader(`{"title":"Checkout latency on web03","severity":"high","category":"application"}`), &issue)
	for range earlier {
		p.apiCall(b, token, http.MethodPost, "/api/v1/issues/"+issue.ID+"/chat", "application/json",
			strings.NewReader(`{"message":"what changed in the 14:00 deploy?"}`), nil)
	}
	req, _ := http.NewRequest(http.MethodPost, p.URL+"/api/v1/issues/"+issue.ID+"/chat",
		strings.NewReader(`{"message":"p99 latency doubled after the 14:00 deploy; pool exhausted errors from ops@example.com's report"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	return req
}

// directRequest is the same kind of request sent straight to the fake provider.
func directRequest(fake *httptest.Server) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, fake.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"gpt-bench","stream":true,"messages":[{"role":"user","content":"p99 latency doubled"}]}`))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkChatFirstToken measures the time to the first token of a streamed chat reply through
// the whole portal (auth, the stored and redacted message, the system prompt, the provider SDK
// and the SSE relay) against the same fake provider asked directly; the difference is what the
// portal adds.
//
//	go test -run '^$' -bench ChatFirstToken -benchtime 200x ./cmd/tftsr/
func BenchmarkChatFirstToken(b *testing.B) {
	fake := benchFake(b, 20)
	p, token := benchPortal(b, fake)
	for _, bc := range []struct {
		name    string
		earlier int
	}{{"first-turn", 0}, {"later-turn", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			var viaPortal, direct []time.Duration
			for b.Loop() {
				b.StopTimer()
				req := chatRequest(b, p, token, bc.earlier)
				b.StartTimer()
				ttft, _, n := streamTimes(b, req, "event: token", "event: token")
				if n == 0 {
					b.Fatal("no token events")
				}
				viaPortal = append(viaPortal, ttft)
				ttft, _, _ = streamTimes(b, directRequest(fake), "data: {", "data: {")
				direct = append(direct, ttft)
			}
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(percentile(viaPortal, 0.5)), "portal-p50-ms")
			b.ReportMetric(ms(percentile(viaPortal, 0.95)), "portal-p95-ms")
			b.ReportMetric(ms(percentile(direct, 0.5)), "direct-p50-ms")
			b.ReportMetric(ms(percentile(direct, 0.95)), "direct-p95-ms")
			b.ReportMetric(ms(percentile(viaPortal, 0.5)-percentile(direct, 0.5)), "added-p50-ms")
			b.ReportMetric(ms(percentile(viaPortal, 0.95)-percentile(direct, 0.95)), "added-p95-ms")
		})
	}
}

// BenchmarkChatRelay measures how many tokens per second the portal relays from a provider that
// streams 5000 tokens as fast as it can to an API client reading the event stream.
//
//	go test -run '^$' -bench ChatRelay -benchtime 10x ./cmd/tftsr/
func BenchmarkChatRelay(b *testing.B) {
	const tokens = 5000
	fake := benchFake(b, tokens)
	p, token := benchPortal(b, fake)
	var relayed, elapsed float64
	for b.Loop() {
		b.StopTimer()
		req := chatRequest(b, p, token, 0)
		b.StartTimer()
		ttft, total, n := streamTimes(b, req, "event: token", "event: token")
		if n != tokens {
			b.Fatalf("%d token events for %d tokens", n, tokens)
		}
		relayed += tokens
		elapsed += (total - ttft).Seconds()
	}
	b.ReportMetric(relayed/elapsed, "tokens/s")
}
