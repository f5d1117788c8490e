package pii

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// checkSpans reports whether spans are valid for text: known types, in
// bounds, non-empty, sorted and non-overlapping.
func checkSpans(t *testing.T, text []byte, spans []Span) {
	t.Helper()
	prev := 0
	for i, sp := range spans {
		if !sp.Type.Valid() {
			t.Fatalf("span %d: unknown type %q", i, sp.Type)
		}
		if sp.Start < prev || sp.End <= sp.Start || sp.End > len(text) {
			t.Fatalf("span %d %+v bad (previous end %d, len %d)", i, sp, prev, len(text))
		}
		prev = sp.End
	}
}

// checkRedaction verifies that Redact replaced every span: the output is
// the gaps and tokens in order, and a value without brackets only occurs in
// the output where the unredacted gaps or a token also hold it.
func checkRedaction(t *testing.T, text []byte, spans []Span) {
	t.Helper()
	out := Redact(text, spans)
	var want []byte
	var gaps [][]byte
	prev := 0
	for _, sp := range spans {
		gaps = append(gaps, text[prev:sp.Start])
		want = append(want, text[prev:sp.Start]...)
		want = append(want, sp.Type.Token()...)
		prev = sp.End
	}
	gaps = append(gaps, text[prev:])
	want = append(want, text[prev:]...)
	if !bytes.Equal(out, want) {
		t.Fatalf("Redact output differs from gaps+tokens")
	}
	for _, sp := range spans {
		v := text[sp.Start:sp.End]
		if bytes.ContainsAny(v, "[]") || !bytes.Contains(out, v) {
			continue
		}
		ok := false
		for _, g := range gaps {
			ok = ok || bytes.Contains(g, v)
		}
		for _, typ := range Types() {
			ok = ok || strings.Contains(typ.Token(), string(v))
		}
		if !ok {
			t.Fatalf("%s value %q survives redaction", sp.Type, v)
		}
	}
}

func FuzzDetect(f *testing.F) {
	seeds := []string{
		"",
		"Server 192.168.1.1 is down",
		"john.doe@example.com 10.0.0.1 fe80::1 00:1A:2B:3C:4D:5E",
		"card 4111 1111 1111 1111 ssn 123-45-6789 call (555) 123-4567 +44 20 7946 0958",
		"https://admin:S3cr3t!@api.internal.corp:8443/v1 postgres://app:pw@db01.prod.example.com/app",
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop",
		`{"api_key": "AbCdEf1234567890XyZ", "password": "hunter2!"} bypass: x`,
		"the password is Summer2024! AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"ghp_abcdefghijklmnopqrstuvwxyz0123456789 glpat-xxxxxxxxxxxxxxxxxxxx12 xoxb-1234567890-abcdefghij",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY-----\nMIIE",
		"Server=db01;Database=app;User Id=sa;Password=P@ss;",
		"at org.apache.kafka.clients.NetworkClient.poll(NetworkClient.java:123) app.log db01.prod.example.com",
		"2024-01-15T10:23:45.123Z 12:34:56 version 1.2.3.4 550e8400-e29b-41d4-a716-446655440000",
		"\x00\xff\xfe@@::..--++((",
		strings.Repeat("a.", 100) + "com",
		strings.Repeat("-----BEGIN EC PRIVATE KEY-----", 5),
		"use X9#kd!2mQp7z, or “Tr0ub4dor&3xK”. HC8I=WgYPH&2N api-7d9f8b6c4-x2x9q $2b$12$abc SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDT",
		"k=" + strings.Repeat("aB3$", 80) + " ((((" + strings.Repeat("Zx9!", 3),
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		spans := Detect(text)
		checkSpans(t, text, spans)
		checkRedaction(t, text, spans)
		if again := Detect(text); !slices.Equal(again, spans) {
			t.Fatalf("Detect is not deterministic")
		}
		// Typed text: the same spans and bare secrets between them.
		typed := DetectText(text)
		checkSpans(t, text, typed)
		checkRedaction(t, text, typed)
		var kept []Span
		for _, sp := range typed {
			if sp.Type != Secret {
				kept = append(kept, sp)
			}
		}
		if !slices.Equal(kept, spans) {
			t.Fatalf("DetectText changed the spans of Detect: %v, %v", typed, spans)
		}
		// The streaming form agrees, whatever the chunk size.
		chunk := 1 + len(text)%13
		s := NewScanner()
		for off := 0; off < len(text); off += chunk {
			s.Write(text[off:min(len(text), off+chunk)])
		}
		s.Close()
		if got := s.Spans(); !slices.Equal(got, spans) {
			t.Fatalf("Scanner %v, Detect %v", got, spans)
		}
	})
}
