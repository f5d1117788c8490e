package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"none", nil, 0.99, 0},
		{"one", []time.Duration{7}, 0.5, 7},
		{"one p99", []time.Duration{7}, 0.99, 7},
		{"p50 of 100", hundred, 0.50, 50 * time.Millisecond},
		{"p95 of 100", hundred, 0.95, 95 * time.Millisecond},
		{"p99 of 100", hundred, 0.99, 99 * time.Millisecond},
		{"max of 100", hundred, 1, 100 * time.Millisecond},
		// Nearest rank: the p99 of 10 samples is the largest, not an interpolation.
		{"p99 of 10", hundred[:10], 0.99, 10 * time.Millisecond},
		{"p50 of 3", []time.Duration{1, 2, 3}, 0.5, 2},
	} {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: percentile(%v) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestRecorderSummary(t *testing.T) {
	r := newRecorder()
	for i := 1; i <= 4; i++ {
		r.add("GET /b", time.Duration(i)*time.Millisecond, i == 4, "boom")
	}
	r.add("GET /a", 10*time.Millisecond, false, "")
	routes, total := r.summary()
	if len(routes) != 2 || routes[0].Route != "GET /a" || routes[1].Route != "GET /b" {
		t.Fatalf("routes %+v, want GET /a then GET /b", routes)
	}
	b := routes[1]
	if b.Count != 4 || b.Errors != 1 || b.P50 != 2*time.Millisecond || b.Max != 4*time.Millisecond || b.Mean != 2500*time.Microsecond {
		t.Errorf("GET /b stats %+v", b)
	}
	if total.Count != 5 || total.Errors != 1 || total.Max != 10*time.Millisecond {
		t.Errorf("total %+v", total)
	}
	if msgs := r.errorMessages()["GET /b"]; len(msgs) != 1 || msgs[0] != "boom" {
		t.Errorf("error messages %q, want [boom]", msgs)
	}
	r.failCheck("export is a PDF", "not a PDF")
	if got := r.failedChecks()["export is a PDF"]; got != 1 {
		t.Errorf("failed checks %d, want 1", got)
	}
}

func TestWriteTable(t *testing.T) {
	r := newRecorder()
	r.add("GET /issues", 20*time.Millisecond, false, "")
	r.add("GET /issues", 40*time.Millisecond, true, "500")
	routes, total := r.summary()
	var b strings.Builder
	writeTable(&b, routes, total, 2*time.Second)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("table of %d lines, want header, rule, route, total:\n%s", len(lines), b.String())
	}
	for _, l := range lines {
		if len(l) != len(lines[0]) || !strings.HasPrefix(l, "| ") || !strings.HasSuffix(l, " |") {
			t.Errorf("line %q is not an aligned Markdown row like %q", l, lines[0])
		}
	}
	if f := strings.Fields(strings.ReplaceAll(lines[2], "|", " ")); strings.Join(f, " ") != "GET /issues 2 1.0 20.0 40.0 40.0 40.0 1" {
		t.Errorf("route row %q", lines[2])
	}
	if !strings.HasPrefix(lines[3], "| total ") {
		t.Errorf("last row %q, want the total", lines[3])
	}
}

func TestCSRFFromMarkup(t *testing.T) {
	for _, tc := range []struct{ name, page, want string }{
		{"body data-csrf", `<body hx-headers="{&#34;X-CSRF-Token&#34;:&#34;abc&#34;}" data-csrf="abc">`, "abc"},
		{"hx-headers only", `<body hx-headers="{&#34;X-CSRF-Token&#34;:&#34;t0k&#34;}">`, "t0k"},
		{"hidden field", `<form><input type="hidden" name="_csrf" value="x+y/z="/></form>`, "x+y/z="},
		{"escaped", `<body data-csrf="a&amp;b">`, "a&b"},
		{"none", `<p>signed out</p>`, ""},
	} {
		if got := csrfFromMarkup([]byte(tc.page)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPickActionFollowsWeights(t *testing.T) {
	total := 0
	for _, a := range mix {
		if a.weight <= 0 {
			t.Errorf("action %s has weight %d", a.name, a.weight)
		}
		total += a.weight
	}
	// Every action is picked, as often as its weight says (within a wide margin).
	got := map[string]int{}
	r := newTestRand()
	const n = 100000
	for range n {
		got[pickAction(r).name]++
	}
	for _, a := range mix {
		want := float64(n) * float64(a.weight) / float64(total)
		if g := float64(got[a.name]); g < want*0.8 || g > want*1.2 {
			t.Errorf("%s picked %v times in %d, want about %.0f", a.name, g, n, want)
		}
	}
}

func TestSetWeights(t *testing.T) {
	saved := slices.Clone(mix)
	t.Cleanup(func() { mix = saved })
	if err := setWeights("export=0, chat=30"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mixString(), "chat=30") || !strings.Contains(mixString(), "export=0") {
		t.Errorf("mix %s, want chat=30 and export=0", mixString())
	}
	r := newTestRand()
	for range 10000 {
		if a := pickAction(r); a.name == "export" {
			t.Fatal("an action of weight 0 was picked")
		}
	}
	for _, bad := range []string{"nope=1", "chat", "chat=-1", "chat=x"} {
		if err := setWeights(bad); err == nil {
			t.Errorf("setWeights(%q) accepted", bad)
		}
	}
	all := []string{}
	for _, a := range mix {
		all = append(all, a.name+"=0")
	}
	if err := setWeights(strings.Join(all, ",")); err == nil {
		t.Error("a mix of nothing accepted")
	}
}

func TestParseStat(t *testing.T) {
	p, ok := parseStat(42, "42 (tftsr (serve) x) S 7 42 42 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 12 0 100 0 0")
	if !ok || p.ppid != 7 || p.ticks != 280 {
		t.Errorf("parseStat = %+v, %v; want ppid 7, 280 ticks", p, ok)
	}
	if _, ok := parseStat(1, "garbage"); ok {
		t.Error("garbage parsed")
	}
}

func TestCPUDelta(t *testing.T) {
	before := map[int]proc{
		10: {pid: 10, ppid: 1, ticks: 100},
		11: {pid: 11, ppid: 10, ticks: 50},
		20: {pid: 20, ppid: 1, cmdline: "postgres: postgres tftsr_soak_x 127.0.0.1(5) idle", ticks: 10},
	}
	after := map[int]proc{
		10: {pid: 10, ppid: 1, ticks: 300},
		11: {pid: 11, ppid: 10, ticks: 150},
		12: {pid: 12, ppid: 11, ticks: 40}, // a renderer Chromium started meanwhile
		20: {pid: 20, ppid: 1, cmdline: "postgres: postgres tftsr_soak_x 127.0.0.1(5) idle", ticks: 60},
		21: {pid: 21, ppid: 1, cmdline: "postgres: postgres tftsr_soak_xy 127.0.0.1(6) idle", ticks: 500},
		30: {pid: 30, ppid: 1, ticks: 70},
	}
	got := cpuDelta(before, after, 10, 30, "tftsr_soak_x")
	want := map[string]time.Duration{"portal": 2 * time.Second, "portal's Chromium": 1400 * time.Millisecond,
		"Postgres backends of its database": 500 * time.Millisecond, "the drill's sessions": 700 * time.Millisecond}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("groups %v, want only %v", got, want)
	}
}

// TestParseWrk reads a report of wrk 4.2 with --latency, errors included.
func TestParseWrk(t *testing.T) {
	out := `Running 2s test @ http://127.0.0.1:8080/issues
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    32.51ms   20.11ms 197.40ms   80.00%
  Latency Distribution
     50%   32.50ms
     75%   40.10ms
     90%   60.00ms
     99%    1.27s
  1843 requests in 2.00s, 20.01MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    921.33
Transfer/sec:     10.00MB
`
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.rps != 921.33 || r.p50 != 32500*time.Microsecond || r.p99 != 1270*time.Millisecond || r.total != 1843 || r.errors != 7 {
		t.Errorf("parsed %+v", r)
	}
	if _, err := parseWrk("wrk: connection refused"); err == nil {
		t.Error("a report without Requests/sec parsed")
	}
}
