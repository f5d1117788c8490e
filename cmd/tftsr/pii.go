package main

import (
	"bufio"
	"bytes"
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
	return piiScan(in, stdout, jsonOut)
}

// piiScan prints the spans of in as they are found, streaming: memory stays bounded by the
// longest line (or private key block), not the input's size.
func piiScan(in io.Reader, stdout io.Writer, jsonOut bool) error {
	bw := bufio.NewWriterSize(stdout, 64<<10)
	total := 0
	var line []byte
	if jsonOut {
		bw.WriteString(`{"spans":[`)
	}
	sw := pii.NewSpanWriter(func(chunk []byte, base int, spans []pii.Span) error {
		for _, sp := range spans {
			text := chunk[sp.Start-base : sp.End-base]
			if jsonOut {
				if total > 0 {
					bw.WriteByte(',')
				}
				line = appendSpanJSON(line[:0], sp, text)
			} else {
				line = appendSpanLine(line[:0], sp, text)
			}
			total++
			if _, err := bw.Write(line); err != nil {
				return err
			}
		}
		return nil
	})
	if _, err := io.Copy(sw, in); err != nil {
		return fmt.Errorf("pii scan: %w", err)
	}
	if err := sw.Close(); err != nil {
		return fmt.Errorf("pii scan: %w", err)
	}
	if jsonOut {
		fmt.Fprintf(bw, `],"total_found":%d}`+"\n", total)
	}
	return bw.Flush()
}

// appendSpanJSON appends one span of `pii scan --json`, with <, > and & as themselves.
func appendSpanJSON(b []byte, sp pii.Span, text []byte) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(piiSpanJSON{Type: string(sp.Type), Start: sp.Start, End: sp.End, Text: string(text), Replacement: sp.Type.Token()})
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// appendSpanLine appends one "start-end Type text" line. Text that would not print as one
// clean line (control bytes, invalid UTF-8, leading or trailing spaces, a private key block) is
// written as a Go quoted string.
func appendSpanLine(b []byte, sp pii.Span, text []byte) []byte {
	b = strconv.AppendInt(b, int64(sp.Start), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(sp.End), 10)
	b = append(b, ' ')
	b = append(b, sp.Type...)
	b = append(b, ' ')
	if piiPlain(text) {
		b = append(b, text...)
	} else {
		b = strconv.AppendQuote(b, string(text))
	}
	return append(b, '\n')
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

// piiPlain reports whether s prints as itself on one line.
func piiPlain(s []byte) bool {
	if len(s) == 0 || !utf8.Valid(s) || s[0] == ' ' || s[len(s)-1] == ' ' || s[0] == '"' {
		return false
	}
	for _, r := range string(s) {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}
