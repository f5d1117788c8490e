package digest

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// relevantOf mines text and picks its relevant lines within budget.
func relevantOf(text string, budget int) []Line {
	return Relevant([]byte(text), mineText(text), budget)
}

// numbers lists the numbers of lines.
func numbers(lines []Line) []int {
	out := make([]int, len(lines))
	for i, l := range lines {
		out[i] = l.No
	}
	return out
}

// infoLines returns n varied INFO lines starting at second s.
func infoLines(s, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("2026-11-28T07:%02d:%02dZ INFO request %d served in %dms", (s+i)/60%60, (s+i)%60, s+i, (s+i)*3%997)
	}
	return out
}

func TestRelevant(t *testing.T) {
	// A log of 40 routine lines with an error at 21, a warning at 11 and 31, and a rare line at 36.
	base := infoLines(0, 40)
	base[10] = "2026-11-28T07:00:10Z WARN disk usage at 91% on /var"
	base[30] = "2026-11-28T07:00:30Z WARN disk usage at 97% on /var"
	base[20] = "2026-11-28T07:00:20Z ERROR write failed: no space left on device"
	base[35] = "2026-11-28T07:00:35Z NOTICE failover to replica db-2 started by operator"
	logText := strings.Join(base, "\n") + "\n"

	javaLog := strings.Join(append(infoLines(0, 6),
		"2026-11-28T07:00:06Z ERROR [main] request failed",
		"java.lang.IllegalStateException: order 42 in bad state",
		"\tat com.acme.orders.Order.check(Order.java:10)",
		"\tat com.acme.orders.Service.handle(Service.java:88)",
		"\tat com.acme.orders.Service.run(Service.java:90)",
		"\tat com.acme.orders.Service.loop(Service.java:99)",
		"\tat java.base/java.lang.Thread.run(Thread.java:1583)",
		"Caused by: java.io.IOException: closed",
		"\t... 3 more",
		"2026-11-28T07:00:20Z INFO request 20 served in 60ms",
	), "\n") + "\n"

	pythonLog := strings.Join([]string{
		"2026-11-28T07:00:00Z INFO worker started",
		"Traceback (most recent call last):",
		"  File \"/app/worker.py\", line 100, in run",
		"    process(item)",
		"  File \"/app/worker.py\", line 40, in process",
		"    raise KeyError(key)",
		"  File \"/app/worker.py\", line 12, in lookup",
		"    return table[key]",
		"KeyError: 'item-7'",
		"2026-11-28T07:00:09Z INFO worker stopped",
	}, "\n")

	for _, tc := range []struct {
		name   string
		text   string
		budget int
		want   []int
	}{
		{
			name: "everything fits: errors with context, warnings, rare and frequent lines",
			text: logText, budget: 0,
			// 1: the routine template; 11/31: warnings; 19-21: error with context; 36: rare line.
			want: []int{1, 11, 19, 20, 21, 31, 36},
		},
		{
			name: "a small budget keeps the error first",
			text: logText, budget: costOf(logText, 21),
			want: []int{21},
		},
		{
			name: "then its context before the warnings",
			text: logText, budget: costOf(logText, 19, 20, 21) + 10,
			want: []int{19, 20, 21},
		},
		{
			name: "java trace: header, first frames and last line",
			text: javaLog, budget: 0,
			// 7 is the header (ERROR line), 8 the exception; 5-6 are the context; 15 the trace's end.
			want: []int{1, 5, 6, 7, 8, 9, 10, 11, 15},
		},
		{
			name: "python trace: its exception line is kept",
			text: pythonLog, budget: 0,
			want: []int{1, 2, 3, 4, 5, 9, 10},
		},
		{
			name: "empty text",
			text: "", budget: 100,
			want: []int{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := numbers(relevantOf(tc.text, tc.budget))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("lines %v, want %v\n%s", got, tc.want, Render(mineText(tc.text), 0))
			}
		})
	}
}

// costOf is what lines of text cost against a budget.
func costOf(text string, nos ...int) int {
	lines, n := strings.Split(text, "\n"), 0
	for _, no := range nos {
		n += LineCost(Line{No: no, Text: lines[no-1]})
	}
	return n
}

// TestRelevantBudget checks that the lines picked never exceed the budget and come in order.
func TestRelevantBudget(t *testing.T) {
	text := string(benchLog(1 << 20))
	d := mineText(text)
	for _, budget := range []int{50, 400, 2000, 8000, 24000} {
		lines := Relevant([]byte(text), d, budget)
		used := 0
		for i, l := range lines {
			used += LineCost(l)
			if i > 0 && l.No <= lines[i-1].No {
				t.Fatalf("budget %d: lines out of order at %d", budget, i)
			}
		}
		if used > budget {
			t.Errorf("budget %d: used %d", budget, used)
		}
		if budget >= 2000 && (len(lines) == 0 || !strings.Contains(lines[0].Text+lines[len(lines)-1].Text+joinText(lines), "ERROR")) {
			t.Errorf("budget %d: no error line in %v", budget, lines)
		}
	}
}

func joinText(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestRelevantPerTemplate checks that a frequent error contributes only a few lines however
// often it occurs.
func TestRelevantPerTemplate(t *testing.T) {
	var lines []string
	for i := range 500 {
		lines = append(lines, fmt.Sprintf("2026-11-28T07:%02d:%02dZ ERROR upstream 10.0.0.%d timed out after %ds", i/60%60, i%60, i%250, i%30))
	}
	got := relevantOf(strings.Join(lines, "\n"), 0)
	if fmt.Sprint(numbers(got)) != "[1 500]" {
		t.Errorf("lines %v", numbers(got))
	}
}

// TestRelevantLineCap checks that a long line is cut on a character boundary and that the
// carriage return of a CRLF line is dropped.
func TestRelevantLineCap(t *testing.T) {
	long := "2026-11-28T07:00:00Z ERROR payload " + strings.Repeat("é", 400) + "\r\n" + "2026-11-28T07:00:01Z INFO ok\r\n"
	got := relevantOf(long, 0)
	if len(got) != 2 || got[0].No != 1 || len(got[0].Text) > MaxRelevantLineBytes || !utf8.ValidString(got[0].Text) ||
		!strings.HasPrefix(got[0].Text, "2026-11-28T07:00:00Z ERROR payload é") {
		t.Fatalf("got %+v", got)
	}
	if got[1].Text != "2026-11-28T07:00:01Z INFO ok" {
		t.Errorf("CRLF line = %q", got[1].Text)
	}
}
