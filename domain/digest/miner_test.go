package digest

import (
	"fmt"
	"strings"
	"testing"
)

// mineText mines a text through Write in small chunks and returns its digest.
func mineText(text string) Digest {
	m := NewMiner()
	for len(text) > 0 {
		n := min(len(text), 7)
		m.Write([]byte(text[:n]))
		text = text[n:]
	}
	return m.Digest()
}

// find returns the template containing s.
func find(t *testing.T, d Digest, s string) Template {
	t.Helper()
	for _, tp := range d.Templates {
		if strings.Contains(tp.Template, s) {
			return tp
		}
	}
	t.Fatalf("no template contains %q in %s", s, Render(d, 0))
	return Template{}
}

// TestClustering checks that similar lines join one template and different ones stay apart.
func TestClustering(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  []string // templates, in order
		count []int
	}{
		{
			name:  "numbers and addresses masked",
			lines: []string{"conn from 10.0.0.1 took 12ms", "conn from 10.0.0.2 took 7ms", "conn from 192.168.1.9 took 130ms"},
			want:  []string{"conn from <IP> took <NUM>"}, count: []int{3},
		},
		{
			name:  "differing word generalised",
			lines: []string{"user alice logged in", "user bob logged in", "user carol logged in"},
			want:  []string{"user <*> logged in"}, count: []int{3},
		},
		{
			name:  "different lines kept apart",
			lines: []string{"cache warmed", "disk full on volume data", "cache warmed", "queue drained quickly now"},
			want:  []string{"cache warmed", "disk full on volume data", "queue drained quickly now"}, count: []int{2, 1, 1},
		},
		{
			name:  "different lengths kept apart",
			lines: []string{"job done", "job done again"},
			want:  []string{"job done", "job done again"}, count: []int{1, 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mineText(strings.Join(tc.lines, "\n") + "\n")
			if len(d.Templates) != len(tc.want) {
				t.Fatalf("templates:\n%s", Render(d, 0))
			}
			for i, w := range tc.want {
				if got := d.Templates[i]; got.Template != w || got.Count != tc.count[i] {
					t.Errorf("template %d: %q x%d, want %q x%d", i, got.Template, got.Count, w, tc.count[i])
				}
			}
		})
	}
}

// TestSeverityOrder checks that errors and traces come first, then warnings, each by count.
func TestSeverityOrder(t *testing.T) {
	var b strings.Builder
	for i := range 10 {
		fmt.Fprintf(&b, "2026-11-28T07:00:%02dZ INFO request %d served in %dms\n", i, i, i*3)
	}
	b.WriteString("2026-11-28T07:01:00Z WARN slow disk sda\n")
	b.WriteString("2026-11-28T07:01:01Z ERROR write failed on sda\n")
	b.WriteString("2026-11-28T07:01:02Z WARN slow disk sdb\n")
	b.WriteString("2026-11-28T07:01:03Z ERROR write failed on sdb\n")
	b.WriteString("2026-11-28T07:01:04Z ERROR write failed on sdc\n")
	b.WriteString("2026-11-28T07:01:05Z FATAL out of memory\n")
	d := mineText(b.String())
	var got []string
	for _, tp := range d.Templates {
		got = append(got, fmt.Sprintf("%s %d %s", tp.Level, tp.Count, tp.Template))
	}
	want := []string{
		"error 3 ERROR write failed on <*>",
		"error 1 FATAL out of memory",
		"warn 2 WARN slow disk <*>",
		"info 10 INFO request <NUM> served in <NUM>",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	e := d.Templates[0]
	if e.FirstLine != 12 || e.LastLine != 15 || FormatSeen(e.FirstSeen) != "2026-11-28 07:01:01Z" || FormatSeen(e.LastSeen) != "2026-11-28 07:01:04Z" {
		t.Errorf("error template seen %+v", e)
	}
	if in := d.Templates[3]; in.FirstSeen == nil || in.FirstLine != 1 || in.LastLine != 10 {
		t.Errorf("info template %+v", in)
	}
}

// TestStackTraces checks that Java, Python and Go traces each give one stacktrace entry.
func TestStackTraces(t *testing.T) {
	java := "2026-11-28 07:01:02,123 ERROR [main] request failed\n" +
		"java.lang.IllegalStateException: bad state 42\n" +
		"\tat com.acme.Order.check(Order.java:17)\n" +
		"\tat com.acme.Main.main(Main.java:5)\n" +
		"Caused by: java.io.IOException: closed\n" +
		"\t... 3 more\n"
	python := "Traceback (most recent call last):\n" +
		"  File \"/app/run.py\", line 12, in <module>\n" +
		"    main()\n" +
		"  File \"/app/run.py\", line 8, in main\n" +
		"    int('abc')\n" +
		"ValueError: invalid literal for int() with base 10: 'abc'\n"
	golang := "panic: runtime error: index out of range [5] with length 3\n" +
		"\n" +
		"goroutine 1 [running]:\n" +
		"main.main()\n" +
		"\t/src/main.go:9 +0x1d\n" +
		"exit status 2\n"
	for _, tc := range []struct {
		name, text, header, frame string
		lines                     int
	}{
		{"java", java, "java.lang.IllegalStateException: bad state <NUM>", "at com.acme.Order.check(<*>)", 1},
		{"python", python, "ValueError: invalid literal", "File <STR> line <NUM>, in <module>", 0},
		{"go", golang, "panic: runtime error: index out of range [<NUM>]", "main.main()", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mineText(tc.text + "INFO between\n" + tc.text)
			st := find(t, d, "⏎")
			if st.Kind != KindStackTrace || st.Count != 2 || st.Level != LevelError ||
				!strings.Contains(st.Template, tc.header) || !strings.Contains(st.Template, tc.frame) {
				t.Fatalf("first template %+v\n%s", st, Render(d, 0))
			}
			traces, others := 0, 0
			for _, tp := range d.Templates {
				if tp.Kind == KindStackTrace {
					traces++
				} else {
					others++
				}
			}
			// Only the trace, the "INFO between" line and the lines around the trace remain.
			if traces != 1 || others != tc.lines+1 {
				t.Errorf("%d traces, %d other templates:\n%s", traces, others, Render(d, 0))
			}
		})
	}
}

// TestExamplesRedacted checks that examples and templates never hold a detected value.
func TestExamplesRedacted(t *testing.T) {
	d := mineText("INFO login ok user=grace.hopper@example.com from 198.51.100.23\n" +
		"INFO login ok user=alan.turing@example.com from 198.51.100.24\n" +
		"java.lang.RuntimeException: denied for grace.hopper@example.com\n" +
		"\tat com.acme.Auth.login(Auth.java:3)\n")
	out := Render(d, 0)
	for _, raw := range []string{"grace.hopper", "alan.turing", "198.51.100"} {
		if strings.Contains(out, raw) {
			t.Errorf("digest holds %q:\n%s", raw, out)
		}
	}
	if tp := find(t, d, "login ok"); !strings.Contains(tp.Example, "[Email]") || tp.Count != 2 || tp.ExampleLine != 1 {
		t.Errorf("example %+v", tp)
	}
	if tp := find(t, d, "RuntimeException"); !strings.Contains(tp.Example, "[Email]") {
		t.Errorf("trace example %q", tp.Example)
	}
}

// TestBoundedMemory checks that 100k distinct lines stay within the cluster cap.
func TestBoundedMemory(t *testing.T) {
	m := NewMiner()
	m.MaxClusters = 1000
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"}
	r := uint64(1)
	w := func() string {
		r = r*6364136223846793005 + 1442695040888963407
		return words[(r>>33)%uint64(len(words))] + words[(r>>45)%uint64(len(words))]
	}
	for i := range 100_000 {
		n := 2 + i%9
		var parts []string
		for range n {
			parts = append(parts, w())
		}
		m.Add([]byte(strings.Join(parts, " ")), i+1)
	}
	d := m.Digest()
	total := d.Other
	for _, tp := range d.Templates {
		total += tp.Count
	}
	if len(d.Templates) > 1000 || total != 100_000 || d.Lines != 100_000 {
		t.Fatalf("%d templates, %d lines counted of %d", len(d.Templates), total, d.Lines)
	}
	if d.Other == 0 {
		t.Errorf("the cap was never reached")
	}
}

// TestLongLines checks that only the start of a long line is considered.
func TestLongLines(t *testing.T) {
	long := "ERROR " + strings.Repeat("x", 10_000)
	d := mineText(long + "\n" + long + "\n")
	if len(d.Templates) != 1 || d.Templates[0].Count != 2 || len(d.Templates[0].Example) > maxExampleBytes || d.Lines != 2 {
		t.Fatalf("long lines: %d templates", len(d.Templates))
	}
}

// TestRender checks the budget of the rendered digest and its order.
func TestRender(t *testing.T) {
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "INFO event happened at stage %d of pipeline %s\n", i, strings.Repeat("step ", i%60))
	}
	b.WriteString("ERROR pipeline broke\n")
	d := mineText(b.String())
	full := Render(d, 0)
	for _, budget := range []int{200, 1000, 4000} {
		out := Render(d, budget)
		if len(out) > budget || !strings.HasPrefix(full, strings.SplitN(out, "…", 2)[0]) {
			t.Errorf("budget %d: %d bytes\n%s", budget, len(out), out)
		}
		if !strings.Contains(out, "[ERROR] x1 lines 301-301: ERROR pipeline broke") {
			t.Errorf("budget %d: error not first:\n%s", budget, out)
		}
	}
	if !strings.Contains(Render(d, 1000), "more templates.") {
		t.Errorf("no note of templates left out")
	}
}
