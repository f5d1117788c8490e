package domain_test

import (
	"reflect"
	"testing"

	"tftsr/domain"
)

func TestParseAnalysis(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  domain.AnalysisFindings
	}{
		{"as asked", "1. Summary: The payment gateway refused the API key after the 09:10 deploy.\n\n" +
			"2. Key findings:\n- app.log:4: gateway returned 401 for every charge\n- app.log:7–9: retries without backoff\n\n" +
			"3. Proposed Why 1: the gateway key was rotated but not deployed (evidence: app.log:4)\n\n" +
			"4. Severity: high, because every checkout fails.\n",
			domain.AnalysisFindings{Summary: "The payment gateway refused the API key after the 09:10 deploy.",
				KeyFindings:   []string{"app.log:4: gateway returned 401 for every charge", "app.log:7–9: retries without backoff"},
				SuggestedWhy1: "the gateway key was rotated but not deployed", SeverityAssessment: "high"}},
		{"markdown headings", "## Summary\nDisk filled up on db01.\nThe WAL archive stalled.\n\n## Key findings\n* **WAL archiving failed** (db.log:12)\n* disk at 100% (db.log:40)\n\n" +
			"**Proposed Why 1:** archive_command pointed at an unmounted share (evidence: db.log:12–14)\n\n## Severity\n**Critical** — writes are failing.\n",
			domain.AnalysisFindings{Summary: "Disk filled up on db01. The WAL archive stalled.",
				KeyFindings:   []string{"WAL archiving failed (db.log:12)", "disk at 100% (db.log:40)"},
				SuggestedWhy1: "archive_command pointed at an unmounted share", SeverityAssessment: "critical"}},
		{"nothing asked for", "The logs look fine to me.", domain.AnalysisFindings{KeyFindings: []string{}}},
		{"code blocks skipped", "Summary: real one\n```\nSeverity: low\n- not a finding\n```\nSeverity: medium\n",
			domain.AnalysisFindings{Summary: "real one", KeyFindings: []string{}, SeverityAssessment: "medium"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.ParseAnalysis(tt.reply); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseAnalysis =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}
