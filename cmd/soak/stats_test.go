package main

import (
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
