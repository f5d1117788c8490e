package domain_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"tftsr/domain"
)

func TestGateText(t *testing.T) {
	var g domain.RedactionGate
	in := "Please check mail for carol@example.net, token Bearer abcdefghijklmnopqrstuvwxyz0123 and host 10.1.2.3 \xff"
	out := g.Text(in)
	for _, s := range []string{"carol@example.net", "abcdefghijklmnopqrstuvwxyz0123", "10.1.2.3"} {
		if strings.Contains(out.String(), s) {
			t.Errorf("typed text kept %q: %q", s, out)
		}
	}
	if !utf8.ValidString(out.String()) || !out.Redacted() {
		t.Errorf("out %q", out)
	}
	if !slices.Contains(out.PIITypes(), "Email") || !slices.Contains(out.PIITypes(), "IPv4") {
		t.Errorf("types %v", out.PIITypes())
	}
	if plain := g.Text("nothing to see here"); plain.Redacted() || plain.String() != "nothing to see here" {
		t.Errorf("plain text changed: %+v", plain)
	}
}

// TestGateLogUnreviewed: before review the gate redacts every detected value, even those a
// reviewer rejected, and detection runs on the whole text before the cut.
func TestGateLogUnreviewed(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	l := f.mustUpload(t, "app.log", []byte(secretLog))[0]
	spans, _ := f.store.FindLogSpans(f.viewer, l.ID, 0, -1)
	if _, err := f.svc.SetSpanApproval(f.responder, l.ID, domain.SpanSelection{SpanID: spans[0].ID}, false); err != nil {
		t.Fatal(err)
	}
	g := f.svc.Gate()
	out, err := g.Log(f.viewer, l.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(out.String(), s) {
			t.Errorf("gate let %q through: %q", s, out)
		}
	}
	if !strings.Contains(out.String(), "[Email]") || out.Truncated() {
		t.Errorf("out %q", out)
	}
	want := []string{"Password", "Email", "IPv4"}
	if !slices.Equal(out.PIITypes(), want) {
		t.Errorf("types %v, want %v", out.PIITypes(), want)
	}
	if _, err := g.Log(domain.NewContextWithUser(t.Context(), nil), l.ID, 0); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Errorf("anonymous read: %v", err)
	}
}

// TestGateLogTruncation: a value straddling the cut is redacted whole (detection before
// truncation), and the cut falls on a character boundary.
func TestGateLogTruncation(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	head := strings.Repeat("é", 20) + " contact "          // 49 bytes
	text := head + "dave.long.address@example.com today\n" // the value starts at byte 49
	l := f.mustUpload(t, "u.log", []byte(text))[0]
	g := f.svc.Gate()
	for max := 1; max <= len(text)+2; max++ {
		out, err := g.Log(f.viewer, l.ID, max)
		if err != nil {
			t.Fatal(err)
		}
		s := out.String()
		if len(s) > max || !utf8.ValidString(s) {
			t.Fatalf("max %d: %d bytes, valid %v: %q", max, len(s), utf8.ValidString(s), s)
		}
		for _, part := range []string{"dave", "long.address", "example.com"} {
			if strings.Contains(s, part) {
				t.Fatalf("max %d: part of the value leaked: %q", max, s)
			}
		}
		full := head + "[Email] today\n"
		if !strings.HasPrefix(full, s) || out.Truncated() != (len(s) < len(full)) {
			t.Fatalf("max %d: %q (truncated %v) is not a prefix of the redacted text", max, s, out.Truncated())
		}
	}
}

// TestGateLogReviewed: once applied, the gate reads the redacted object, and only it: values
// the reviewer kept stay, approved ones are gone.
func TestGateLogReviewed(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	l := f.mustUpload(t, "app.log", []byte(secretLog))[0]
	spans, _ := f.store.FindLogSpans(f.viewer, l.ID, 0, -1)
	var ipSpan string
	for _, sp := range spans {
		if sp.PIIType == "IPv4" {
			ipSpan = sp.ID
		}
	}
	if _, err := f.svc.SetSpanApproval(f.responder, l.ID, domain.SpanSelection{SpanID: ipSpan}, false); err != nil {
		t.Fatal(err)
	}
	red, err := f.svc.ApplyRedactions(f.responder, l.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.blobs.gets = nil
	out, err := f.svc.Gate().Log(f.viewer, l.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.blobs.gets; len(got) != 1 || got[0] != domain.RedactedLogObjectKey("inc-1", l.ID) {
		t.Errorf("the gate read %v, want only the redacted object", got)
	}
	want := strings.NewReplacer("alice.smith@example.com", "[Email]", "Hunter2!xyz", "[Password]").Replace(secretLog)
	if out.String() != want {
		t.Errorf("gate text\n%q\nwant\n%q", out, want)
	}
	sum := sha256.Sum256([]byte(out.String()))
	if red.RedactedHash != hex.EncodeToString(sum[:]) || red.RedactedSize != int64(len(want)) {
		t.Errorf("redacted hash/size %s/%d do not match the text", red.RedactedHash, red.RedactedSize)
	}
	if strings.Contains(out.String(), "alice") || strings.Contains(out.String(), "Hunter2") {
		t.Errorf("approved values leaked: %q", out)
	}
}

func TestScanPII(t *testing.T) {
	in := "mail erin@example.com now"
	got := domain.ScanPII(in)
	if got.TotalFound != 1 || len(got.Spans) != 1 || got.RedactedText != "mail [Email] now" {
		t.Fatalf("scan %+v", got)
	}
	sp := got.Spans[0]
	if sp.Type != "Email" || in[sp.Start:sp.End] != "erin@example.com" || sp.Text != "erin@example.com" || sp.Replacement != "[Email]" {
		t.Errorf("span %+v", sp)
	}
}

// TestGateTextBareSecret: a password or key typed without a key that names it (a chat message,
// a 5-Whys answer, a timeline note) is replaced and reported as Secret; names, ids and versions
// around it stay.
func TestGateTextBareSecret(t *testing.T) {
	var g domain.RedactionGate
	cases := []struct{ in, want string }{
		{"the DB user is bob and for prod use X9#kd!2mQp7z.", "the DB user is bob and for prod use [Secret]."},
		{"Why 2: the deploy of api-7d9f8b6c4-x2x9q (v1.4.2, commit 9fceb02) logged \"4eC39HqLyjWDarjtT1zdp7dc\" in plain text",
			"Why 2: the deploy of api-7d9f8b6c4-x2x9q (v1.4.2, commit 9fceb02) logged \"[Secret]\" in plain text"},
		{"Tr0ub4dor&3xK", "[Secret]"},
	}
	for _, tc := range cases {
		out := g.Text(tc.in)
		if out.String() != tc.want || !slices.Equal(out.PIITypes(), []string{"Secret"}) {
			t.Errorf("Text(%q) = %q %v, want %q [Secret]", tc.in, out, out.PIITypes(), tc.want)
		}
	}
	// With other values the types come in the detector's order.
	out := g.Text("mail carol@example.net the key Jd83KsLq02Mzx7Bv")
	if out.String() != "mail [Email] the key [Secret]" || !slices.Equal(out.PIITypes(), []string{"Secret", "Email"}) {
		t.Errorf("mixed: %q %v", out, out.PIITypes())
	}
	scan := domain.ScanPII("use Jd83KsLq02Mzx7Bv now")
	if scan.TotalFound != 1 || scan.Spans[0].Type != "Secret" || scan.Spans[0].Text != "Jd83KsLq02Mzx7Bv" || scan.RedactedText != "use [Secret] now" {
		t.Errorf("scan %+v", scan)
	}
}
