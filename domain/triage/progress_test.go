package triage_test

import (
	"testing"

	"tftsr/domain/triage"
)

func TestParseWhyProgress(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		level int
		root  string
	}{
		{"empty", "", 0, ""},
		{"plain why", "Why 3: why did the disk fill?", 3, ""},
		{"level form", "WHY LEVEL: 4\nWe now know…", 4, ""},
		{"level no colon", "why level 2", 2, ""},
		{"bold hash", "**Why #2** — the cron job stopped", 2, ""},
		{"heading", "### Why 5\nThe config was never reviewed.", 5, ""},
		{"list item", "- Why 1: the service crashed", 1, ""},
		{"highest wins", "Why 1: a\nWhy 2: b\nWhy 3: c", 3, ""},
		{"mid sentence ignored", "Let us ask why 4 servers failed.", 0, ""},
		{"out of range", "Why 6: nothing", 0, ""},
		{"two digits", "Why 10 minutes?", 0, ""},
		{"question without number", "Why did it fail?", 0, ""},
		{"root cause", "Why 5: because\nRoot cause: the certificate expired unnoticed.", 5, "the certificate expired unnoticed."},
		{"bold root cause", "**Root cause:** Missing log rotation on /var.", 0, "Missing log rotation on /var."},
		{"root cause identified", "Root cause identified: disk quota too small", 0, "disk quota too small"},
		{"placeholder", "Root cause: unknown yet", 0, ""},
		{"not yet", "Root cause: not yet identified", 0, ""},
		{"mention only", "We have not found the root cause yet.", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := triage.ParseWhyProgress(tt.reply)
			if got.Level != tt.level || got.RootCause != tt.root {
				t.Errorf("ParseWhyProgress(%q) = %+v, want level %d root %q", tt.reply, got, tt.level, tt.root)
			}
		})
	}
}
