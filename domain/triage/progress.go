package triage

import (
	"regexp"
	"strconv"
	"strings"
)

// WhyProgress is what a reply says about the 5-Whys: the highest why level it reaches (0: none)
// and a root-cause statement ("": none).
type WhyProgress struct {
	Level     int
	RootCause string
}

var (
	// A line that starts (after Markdown list, heading, quote or emphasis marks) with "Why 3",
	// "Why #2", "Why level: 4", "WHY LEVEL 5" or "Why-3".
	whyLineRE = regexp.MustCompile(`(?im)^[\s>*#_\-\d.)]*why(?:[ \t]+level)?[*_]*[ \t]*[:#\-]?[ \t]*#?[ \t]*([1-5])\b`)
	// "Root cause: …", "**Root cause:** …", "Root cause identified: …".
	rootCauseRE = regexp.MustCompile(`(?im)^[\s>*#_\-]*(?:the[ \t]+)?root[ \t-]cause(?:[ \t]+(?:identified|is))?[*_]*[ \t]*[:：][*_]*[ \t]*(.+?)[ \t]*$`)
	// Placeholder root causes that do not state one.
	rootCausePlaceholder = regexp.MustCompile(`(?i)^(unknown|not (yet )?(known|identified|determined|clear)|tbd|n/?a|none( yet)?|pending|\?+|to be determined)\b`)
)

// MaxRootCauseRunes bounds a stored root-cause statement.
const MaxRootCauseRunes = 500

// ParseWhyProgress reads the why level and root-cause statement of a reply.
func ParseWhyProgress(reply string) WhyProgress {
	var p WhyProgress
	for _, m := range whyLineRE.FindAllStringSubmatch(reply, -1) {
		if n, _ := strconv.Atoi(m[1]); n > p.Level {
			p.Level = n
		}
	}
	for _, m := range rootCauseRE.FindAllStringSubmatch(reply, -1) {
		rc := strings.Trim(m[1], "*_ \t")
		if rc == "" || rootCausePlaceholder.MatchString(rc) {
			continue
		}
		if r := []rune(rc); len(r) > MaxRootCauseRunes {
			rc = string(r[:MaxRootCauseRunes]) + "…"
		}
		p.RootCause = rc
		break
	}
	return p
}
