package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"tftsr/domain/pii"
)

// piiUsage describes the pii subcommands.
const piiUsage = `usage: tftsr pii scan [--json] [FILE|-]
       tftsr pii redact [FILE|-]

scan prints the sensitive values found in FILE (or standard input), one
"start-end Type text" line each, or with --json one object:
  {"spans":[{"type":...,"start":...,"end":...,"text":...,"replacement":...}],"total_found":N}
Offsets are byte offsets into the input, end exclusive.
redact prints the input with every value replaced by its token, e.g. [Email].`

// piiSpanJSON is one span in the output of `pii scan --json`.
type piiSpanJSON struct {
	Type        string `json:"type"`
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Text        string `json:"text"`
	Replacement string `json:"replacement"`
}

// piiScanJSON is the output of `pii scan --json`.
type piiScanJSON struct {
	Spans      []piiSpanJSON `json:"spans"`
	TotalFound int           `json:"total_found"`
}

// runPII implements `tftsr pii scan [--json] [FILE|-]` and `tftsr pii redact [FILE|-]`.
func runPII(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("pii: missing subcommand\n%s", piiUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "-help", "--help":
		_, err := fmt.Fprintln(stdout, piiUsage)
		return err
	case "scan", "redact":
	default:
		return fmt.Errorf("pii: unknown subcommand %q\n%s", cmd, piiUsage)
	}
	jsonOut := false
	file := ""
	for _, a := range rest {
		switch {
		case cmd == "scan" && (a == "--json" || a == "-json"):
			jsonOut = true
		case a != "-" && strings.HasPrefix(a, "-"):
			return fmt.Errorf("pii %s: unknown flag %q\n%s", cmd, a, piiUsage)
		case file != "":
			return fmt.Errorf("pii %s: more than one input\n%s", cmd, piiUsage)
		default:
			file = a
		}
	}
	in := stdin
	if file != "" && file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("pii %s: %w", cmd, err)
		}
		defer f.Close()
		in = f
	}
	if cmd == "redact" {
		return piiRedact(in, stdout)
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("pii scan: reading input: %w", err)
	}
	spans := pii.Detect(data)
	if jsonOut {
		return piiWriteJSON(stdout, data, spans)
	}
	return piiWriteLines(stdout, data, spans)
}

// piiRedact copies in to out with every detected value replaced, streaming
// so that large inputs need not fit in memory.
func piiRedact(in io.Reader, out io.Writer) error {
	bw := bufio.NewWriterSize(out, 64<<10)
	rw := pii.NewRedactWriter(bw)
	if _, err := io.Copy(rw, in); err != nil {
		return fmt.Errorf("pii redact: %w", err)
	}
	if err := rw.Close(); err != nil {
		return fmt.Errorf("pii redact: %w", err)
	}
	return bw.Flush()
}

// piiWriteJSON writes the spans as one JSON object and a newline.
func piiWriteJSON(w io.Writer, data []byte, spans []pii.Span) error {
	out := piiScanJSON{Spans: make([]piiSpanJSON, 0, len(spans)), TotalFound: len(spans)}
	for _, sp := range spans {
		out.Spans = append(out.Spans, piiSpanJSON{
			Type:        string(sp.Type),
			Start:       sp.Start,
			End:         sp.End,
			Text:        string(data[sp.Start:sp.End]),
			Replacement: sp.Type.Token(),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// piiWriteLines writes one "start-end Type text" line per span. Text that
// would not print as one clean line (control bytes, invalid UTF-8, leading
// or trailing spaces, a private key block) is written as a Go quoted
// string.
func piiWriteLines(w io.Writer, data []byte, spans []pii.Span) error {
	bw := bufio.NewWriter(w)
	for _, sp := range spans {
		text := string(data[sp.Start:sp.End])
		if !piiPlain(text) {
			text = strconv.Quote(text)
		}
		fmt.Fprintf(bw, "%d-%d %s %s\n", sp.Start, sp.End, sp.Type, text)
	}
	return bw.Flush()
}

// piiPlain reports whether s prints as itself on one line.
func piiPlain(s string) bool {
	if s == "" || !utf8.ValidString(s) || s[0] == ' ' || s[len(s)-1] == ' ' || s[0] == '"' {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}
