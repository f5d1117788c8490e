package domain

import (
	"regexp"
	"strings"

	"tftsr/domain/triage"
)

// AnalysisFindings is what a log analysis reply says, read from the sections the analysis prompt
// asks for: the summary, the key findings, the proposed first why and the severity. A section the
// reply does not have is empty.
type AnalysisFindings struct {
	Summary     string   `json:"summary"`
	KeyFindings []string `json:"key_findings"`
	// SuggestedWhy1 is the answer of the reply's "Proposed Why 1".
	SuggestedWhy1 string `json:"suggested_why1"`
	// SeverityAssessment is critical, high, medium or low.
	SeverityAssessment string `json:"severity_assessment"`
}

var (
	// A section heading: "Summary:", "**Key findings**", "## Severity", "1. Summary: …".
	analysisHeadingRE = regexp.MustCompile(`(?i)^[\s>#*_\d.)-]*(summary|key[ \t]+findings|findings|severity(?:[ \t]+assessment)?|proposed[ \t]+why[ \t#]*\d)[*_]*[ \t]*(?::[*_]*[ \t]*(.*))?$`)
	// A list item.
	analysisItemRE = regexp.MustCompile(`^\s*(?:[-*•+]|\d+[.)])\s+(.+)$`)
	// A severity word.
	severityWordRE = regexp.MustCompile(`(?i)\b(critical|high|medium|low)\b`)
)

// ParseAnalysis reads the findings of a log analysis reply. Code blocks are skipped.
func ParseAnalysis(reply string) AnalysisFindings {
	f := AnalysisFindings{KeyFindings: []string{}}
	section := ""
	var summary []string
	inFence := false
	for line := range strings.Lines(reply) {
		line = strings.TrimRight(line, "\r\n")
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		if m := analysisHeadingRE.FindStringSubmatch(t); m != nil {
			section = strings.ToLower(strings.Fields(m[1])[0])
			rest := cleanMarkdown(m[2])
			switch section {
			case "summary":
				if rest != "" {
					summary = append(summary, rest)
				}
			case "severity":
				if w := severityWordRE.FindString(rest); w != "" && f.SeverityAssessment == "" {
					f.SeverityAssessment = strings.ToLower(w)
				}
			}
			continue
		}
		switch section {
		case "summary":
			if t == "" {
				if len(summary) > 0 {
					section = ""
				}
				continue
			}
			summary = append(summary, cleanMarkdown(t))
		case "key", "findings":
			if m := analysisItemRE.FindStringSubmatch(line); m != nil {
				if item := cleanMarkdown(m[1]); item != "" {
					f.KeyFindings = append(f.KeyFindings, item)
				}
			}
		case "severity":
			if w := severityWordRE.FindString(t); w != "" && f.SeverityAssessment == "" {
				f.SeverityAssessment = strings.ToLower(w)
			}
		}
	}
	f.Summary = strings.Join(summary, " ")
	for _, p := range triage.ParseWhyProposals(reply) {
		if p.Number == 1 {
			f.SuggestedWhy1 = p.Answer
			break
		}
	}
	return f
}

// cleanMarkdown drops bold marks and the emphasis marks around text.
func cleanMarkdown(s string) string {
	s = strings.NewReplacer("**", "", "__", "").Replace(s)
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "*_"))
}
