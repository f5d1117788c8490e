package triage

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on the fields of a why: what a 5-Whys entry may hold, and so what a proposal may.
const (
	MaxQuestionLen = 2_000
	MaxAnswerLen   = 10_000
	MaxEvidenceLen = 10_000
)

// Limits on what ParseWhyProposals and ParseCitations return.
const (
	// MaxWhyProposals bounds the proposals read from one reply.
	MaxWhyProposals = 10
	// MaxCitations bounds the citations read from one evidence text.
	MaxCitations = 20
	// MaxCitationSpan bounds the lines one citation may cover beyond its first.
	MaxCitationSpan = 10_000
	// maxProposalLineLen bounds the length of a line read as a proposal; longer lines are skipped.
	maxProposalLineLen = 20_000
	// maxCitationLine bounds a cited line number.
	maxCitationLine = 999_999_999
)

// Citation is a cited range of lines of a log, by file name: lines From to To, both counted from
// 1 and inclusive (From == To for a single line).
type Citation struct {
	File string `json:"file"`
	From int    `json:"from"`
	To   int    `json:"to"`
}

// String formats c the way replies cite lines: "app.log:1042–1050", or "db.log:77".
func (c Citation) String() string {
	if c.To == c.From {
		return fmt.Sprintf("%s:%d", c.File, c.From)
	}
	return fmt.Sprintf("%s:%d–%d", c.File, c.From, c.To)
}

// CitationMatch is a citation found in a text with its byte offsets there (End exclusive).
type CitationMatch struct {
	Citation
	Start, End int
}

// WhyProposal is an answer to one of the 5-Whys that an assistant reply proposes, with the
// evidence it cites. Whether an incident's 5-Whys already hold it is domain.ProposalAccepted.
type WhyProposal struct {
	// Number is the why the answer is for, 1 to 5.
	Number int `json:"why_number"`
	// Question is the question the reply states for the why, or "".
	Question string `json:"question"`
	Answer   string `json:"answer"`
	// Evidence is the evidence text as the reply wrote it; Citations the log lines it cites.
	Evidence  string     `json:"evidence"`
	Citations []Citation `json:"citations"`
}

var (
	// The head of a proposal line: list, quote, heading or emphasis marks, then "Proposed Why 2",
	// "Proposed why #2" or "PROPOSED WHY NO. 2", an optional question in parentheses ending with
	// "?", and a separator (colon, dash or dash-like).
	proposalRE = regexp.MustCompile(`(?i)^[\s>*_\-+#\d.)]*?[*_]*proposed[*_ \t]+why[*_ \t]*(?:#|no\.?|number)?[ \t]*([1-5])(?:[^\d\w]|$)`)
	// After the number: an optional question in parentheses, then the separator.
	proposalQuestionRE = regexp.MustCompile(`^[*_]*[ \t]*(?:\(([^()\n]{1,1000}\?)\))?[*_]*[ \t]*(?:[:：—–\-]|\*\*:)[*_]*[ \t]*`)
	// An evidence part at the end of the answer: "(evidence: …)" or "[evidence: …]".
	evidenceParenRE = regexp.MustCompile(`(?i)^(.*?)[ \t]*[(\[][ \t]*[*_]*(?:evidence|sources?|cited?|citations?)[*_]*[ \t]*[:：][ \t]*([^()\[\]]*)[)\]][ \t.]*$`)
	// An evidence part after a separator: "… — evidence: …" or "… evidence: …".
	evidenceTailRE = regexp.MustCompile(`(?i)^(.*?)[ \t]*(?:[—–;|\-][ \t]*)?[*_]*\bevidence[*_]*[ \t]*[:：][*_]*[ \t]*(.+)$`)
	// A citation: a file name, ":" or "#", a line and an optional end of range after "-", "–",
	// "—" or "..". Lines may carry an "L" prefix (app.log#L12-L20).
	citationRE = regexp.MustCompile(`([A-Za-z0-9_][A-Za-z0-9_.\-/]*)[:#][ \t]?L?(\d{1,10})(?:[ \t]*(?:-|–|—|\.\.)[ \t]*L?(\d{1,10}))?`)
)

// ParseWhyProposals reads the why answers an assistant reply proposes: one a line, written
// "Proposed Why 2: <answer> (evidence: app.log:1042–1050, db.log:77)". Markdown emphasis, list
// markers and dashes in place of the colon are allowed; a question may follow the number in
// parentheses ("Proposed Why 2 (Why did the pool run out?): …"). Lines without an answer, or
// with fields longer than MaxQuestionLen, MaxAnswerLen or MaxEvidenceLen, are skipped; at most
// MaxWhyProposals are returned.
func ParseWhyProposals(reply string) []WhyProposal {
	var out []WhyProposal
	inFence := false
	for line := range strings.Lines(reply) {
		line = strings.TrimRight(line, "\r\n")
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence || len(line) > maxProposalLineLen {
			continue
		}
		p, ok := parseProposalLine(line)
		if !ok {
			continue
		}
		out = append(out, p)
		if len(out) == MaxWhyProposals {
			break
		}
	}
	return out
}

// parseProposalLine reads one proposal line.
func parseProposalLine(line string) (WhyProposal, bool) {
	m := proposalRE.FindStringSubmatchIndex(line)
	if m == nil {
		return WhyProposal{}, false
	}
	n, _ := strconv.Atoi(line[m[2]:m[3]])
	rest := line[m[3]:]
	q := proposalQuestionRE.FindStringSubmatchIndex(rest)
	if q == nil {
		return WhyProposal{}, false
	}
	p := WhyProposal{Number: n}
	if q[2] >= 0 {
		p.Question = cleanProposalText(rest[q[2]:q[3]])
	}
	body := strings.TrimSpace(rest[q[1]:])
	if e := evidenceParenRE.FindStringSubmatch(body); e != nil {
		p.Answer, p.Evidence = e[1], e[2]
	} else if e := evidenceTailRE.FindStringSubmatch(body); e != nil {
		p.Answer, p.Evidence = e[1], e[2]
	} else {
		p.Answer = body
	}
	p.Answer = cleanProposalText(p.Answer)
	p.Evidence = strings.TrimRight(cleanProposalText(p.Evidence), ".")
	if p.Answer == "" || !utf8.ValidString(p.Answer+p.Evidence+p.Question) ||
		len(p.Answer) > MaxAnswerLen || len(p.Evidence) > MaxEvidenceLen || len(p.Question) > MaxQuestionLen {
		return WhyProposal{}, false
	}
	p.Citations = ParseCitations(p.Evidence)
	return p, true
}

// cleanProposalText trims spaces, emphasis marks and a dangling separator from both ends of s.
func cleanProposalText(s string) string {
	s = strings.TrimSpace(s)
	for {
		t := strings.TrimSpace(strings.Trim(s, "*_"))
		t = strings.TrimSpace(strings.TrimRight(t, "—–;|"))
		if t == s {
			return s
		}
		s = t
	}
}

// ParseCitations reads the log lines an evidence text cites: "app.log:1042–1050", "db.log:77",
// "var/log/app-1.log:10..20", "app.log#L12-L20". A file name needs a dot or a slash, or to end
// in "log", so that times such as 10:42 are not read as citations. Ranges that run backwards,
// start at 0 or cover more than MaxCitationSpan lines are ignored; repeats are dropped; at most
// MaxCitations are returned.
func ParseCitations(s string) []Citation {
	var out []Citation
	seen := map[Citation]bool{}
	for _, m := range FindCitations(s) {
		if seen[m.Citation] {
			continue
		}
		seen[m.Citation] = true
		out = append(out, m.Citation)
	}
	return out
}

// FindCitations returns the citations of ParseCitations with where each stands in s, repeats
// included, at most MaxCitations.
func FindCitations(s string) []CitationMatch {
	var out []CitationMatch
	for _, m := range citationRE.FindAllStringSubmatchIndex(s, -1) {
		if len(out) == MaxCitations {
			break
		}
		// The match must stand on its own: not glued to a preceding name or a following digit.
		if m[0] > 0 && isCitationNameByte(s[m[0]-1]) {
			continue
		}
		if m[1] < len(s) && s[m[1]] >= '0' && s[m[1]] <= '9' {
			continue
		}
		file := strings.TrimRight(s[m[2]:m[3]], ".-/")
		if !citableName(file) {
			continue
		}
		from, err1 := strconv.Atoi(s[m[4]:m[5]])
		to, err2 := from, error(nil)
		if m[6] >= 0 {
			to, err2 = strconv.Atoi(s[m[6]:m[7]])
		}
		if err1 != nil || err2 != nil || from < 1 || to < from || to > maxCitationLine || to-from > MaxCitationSpan {
			continue
		}
		out = append(out, CitationMatch{Citation: Citation{File: file, From: from, To: to}, Start: m[0], End: m[1]})
	}
	return out
}

// isCitationNameByte reports whether b may be part of a cited file name.
func isCitationNameByte(b byte) bool {
	return b == '_' || b == '.' || b == '-' || b == '/' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// citableName reports whether name looks like a log's file name rather than a word or a number.
func citableName(name string) bool {
	if name == "" || strings.Trim(name, "0123456789.-/_") == "" {
		return false
	}
	return strings.ContainsAny(name, "./") || strings.HasSuffix(strings.ToLower(name), "log")
}
