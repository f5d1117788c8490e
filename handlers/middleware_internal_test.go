package handlers

import "testing"

// TestSafeNext: only a clean local path survives; everything a browser could read as another
// site becomes "/".
func TestSafeNext(t *testing.T) {
	keep := []string{"/", "/issues", "/issues?status=open&severity=high", "/issues/0190a000-0000-7000-8000-000000000000#logs",
		"/search?q=kafka+lag", "/logs/1/lines?from=1&to=9#L1", "/a%20b", "/caf\u00e9"}
	for _, next := range keep {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q, want it kept", next, got)
		}
	}
	refuse := []string{"", "issues", "//evil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example",
		"/\\evil.example", "\\\\evil.example", "/x\\y", "https://evil.example/", "http:/evil.example",
		"javascript:alert(1)", "/%2F%2Fevil.example", "/\x00", "/\x7f", "/\u200b/evil.example", "/ /evil.example\x0b",
		" /issues", "//user@evil.example"}
	for _, next := range refuse {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", next, got)
		}
	}
}
