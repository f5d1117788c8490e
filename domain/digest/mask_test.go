package digest

import "testing"

// TestMask checks the masks of variable tokens.
func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"connect", "connect"},
		{"42", MaskNum},
		{"-3.5", MaskNum},
		{"took=12ms", "took=" + MaskNum},
		{"(1.5s)", "(" + MaskNum + ")"},
		{"10.0.0.12", MaskIP},
		{"10.0.0.12:8080,", MaskIP + ","},
		{"fe80::1", MaskIP},
		{"123e4567-e89b-12d3-a456-426614174000", MaskUUID},
		{"0x7ffe1a2b", MaskHex},
		{"deadbeef01", MaskHex},
		{"07:01:02", MaskTime},
		{"2026-11-28", MaskTime},
		{"2026-11-28T07:01:02Z", MaskTime},
		{"/var/log/app-3.log", MaskPath},
		{`user="grace"`, "user=" + MaskStr},
		{"[worker-7]", "[" + Wildcard + "]"},
		{"ann@example.com", Wildcard},
		{"ERROR", "ERROR"},
		{"[IPv4]", "[IPv4]"},
		{"[IPv4]:8080", "[IPv4]" + Wildcard},
		{"from=[IPv6],", "from=[IPv6],"},
	} {
		toks, _ := tokenize([]byte(tc.in), nil, maxTokens)
		if len(toks) != 1 || toks[0].text() != tc.want || !toks[0].is(tc.want) {
			t.Errorf("%q: got %v, want %q", tc.in, texts(toks), tc.want)
		}
	}
	toks, _ := tokenize([]byte(`msg="hello big world" code=7 'quoted text' end`), nil, maxTokens)
	if got := texts(toks); len(got) != 4 || got[0] != "msg=<STR>" || got[1] != "code=<NUM>" || got[2] != "<STR>" {
		t.Errorf("quoted: %q", got)
	}
}

func texts(toks []token) []string {
	var out []string
	for _, t := range toks {
		out = append(out, t.text())
	}
	return out
}

// TestLevel checks the severity keywords.
func TestLevel(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Level
	}{
		{"INFO started", LevelInfo},
		{"[ERROR] failed", LevelError},
		{"ERR: nope", LevelError},
		{"FATAL boom", LevelError},
		{"CRITICAL disk", LevelError},
		{"panic: runtime error", LevelError},
		{"java.lang.IllegalStateException: bad", LevelError},
		{"msg=x level=error", LevelError},
		{"level=warn msg=slow", LevelWarn},
		{"WARN slow", LevelWarn},
		{"WARNING: slow", LevelWarn},
		{"error: refused", LevelError},
		{"no errors found", LevelInfo},
	} {
		if _, got := tokenize([]byte(tc.line), nil, maxTokens); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.line, got, tc.want)
		}
	}
}

// TestLeadingTime checks the timestamps a line may start with.
func TestLeadingTime(t *testing.T) {
	for _, tc := range []struct {
		line, want string
		skip       int
	}{
		{"2026-11-28T07:01:02Z INFO x", "2026-11-28T07:01:02Z", 21},
		{"2026-11-28T07:01:02.250+01:00 x", "2026-11-28T06:01:02.25Z", 30},
		{"2026-11-28 07:01:02,123 x", "2026-11-28T07:01:02.123Z", 24},
		{"[2026-11-28 07:01:02] x", "2026-11-28T07:01:02Z", 22},
		{"Nov 28 07:01:02 host sshd[1]: x", "0000-11-28T07:01:02Z", 16},
		{"Nov  8 07:01:02 host", "0000-11-08T07:01:02Z", 16},
	} {
		at, skip, ok := leadingTime([]byte(tc.line))
		if !ok || at.Format("2006-01-02T15:04:05.999999999Z07:00") != tc.want || skip != tc.skip {
			t.Errorf("%q: %v %d %v, want %s %d", tc.line, at, skip, ok, tc.want, tc.skip)
		}
	}
	for _, line := range []string{"INFO x", "2026-13-01T00:00:00Z x", "Foo 28 07:01:02 x", ""} {
		if _, _, ok := leadingTime([]byte(line)); ok {
			t.Errorf("%q: found a timestamp", line)
		}
	}
}
