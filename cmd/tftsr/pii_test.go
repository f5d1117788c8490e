package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"tftsr/domain/pii"
)

const piiSample = "Server 192.168.1.1 is down, contact ops@example.com\n"

func TestRunPIIScanJSON(t *testing.T) {
	var out bytes.Buffer
	if err := runPII([]string{"scan", "--json"}, strings.NewReader(piiSample), &out); err != nil {
		t.Fatal(err)
	}
	want := `{"spans":[{"type":"IPv4","start":7,"end":18,"text":"192.168.1.1","replacement":"[IPv4]"},` +
		`{"type":"Email","start":36,"end":51,"text":"ops@example.com","replacement":"[Email]"}],"total_found":2}` + "\n"
	if out.String() != want {
		t.Errorf("got  %s\nwant %s", out.String(), want)
	}
}

func TestRunPIIScanJSONEmpty(t *testing.T) {
	var out bytes.Buffer
	if err := runPII([]string{"scan", "--json", "-"}, strings.NewReader("nothing here\n"), &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), `{"spans":[],"total_found":0}`+"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRunPIIScanText(t *testing.T) {
	var out bytes.Buffer
	in := piiSample + "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
	if err := runPII([]string{"scan"}, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	want := "7-18 IPv4 192.168.1.1\n36-51 Email ops@example.com\n" +
		`52-110 PrivateKey "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"` + "\n"
	if out.String() != want {
		t.Errorf("got  %q\nwant %q", out.String(), want)
	}
}

func TestRunPIIScanFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(path, []byte(piiSample), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runPII([]string{"scan", path, "--json"}, strings.NewReader("ignored"), &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Spans []struct {
			Type, Text, Replacement string
			Start, End              int
		}
		TotalFound int `json:"total_found"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.TotalFound != 2 || len(got.Spans) != 2 || got.Spans[1].Text != "ops@example.com" || got.Spans[1].Replacement != "[Email]" {
		t.Errorf("got %+v", got)
	}
}

func TestRunPIIRedact(t *testing.T) {
	var out bytes.Buffer
	if err := runPII([]string{"redact"}, strings.NewReader(piiSample), &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "Server [IPv4] is down, contact [Email]\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRunPIIBadArgs(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"frobnicate"},
		{"scan", "--yaml"},
		{"scan", "a.log", "b.log"},
		{"redact", "--json"},
		{"scan", filepath.Join(t.TempDir(), "missing.log")},
	} {
		var out bytes.Buffer
		err := runPII(args, strings.NewReader(""), &out)
		if err == nil {
			t.Errorf("runPII(%q) succeeded", args)
			continue
		}
		if len(args) != 0 && args[0] == "scan" && len(args) == 2 && strings.HasSuffix(args[1], "missing.log") {
			continue // a file error, not a usage error
		}
		if !strings.Contains(err.Error(), "usage: tftsr pii") {
			t.Errorf("runPII(%q) error %q has no usage", args, err)
		}
	}
	var out bytes.Buffer
	if err := runPII([]string{"--help"}, nil, &out); err != nil || !strings.Contains(out.String(), "usage:") {
		t.Errorf("--help: %v %q", err, out.String())
	}
}

// TestRunPIIScanStreams: the streaming scan reports exactly what a scan of the whole input
// does (pii.Detect), with offsets from the start, for an input read in small pieces whose
// boundaries fall inside values, lines and a private key block.
func TestRunPIIScanStreams(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 3<<20; i++ {
		fmt.Fprintf(&b, "2026-11-03T08:00:%02d INFO user%d@example.com from 10.0.%d.%d password=Hunter%d! id %d\n", i%60, i, i%256, i%200, i, i)
		if i%5000 == 0 {
			b.WriteString("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAx\nabc\n-----END RSA PRIVATE KEY-----\n")
		}
	}
	data := []byte(b.String())
	var want strings.Builder
	for _, sp := range pii.Detect(data) {
		want.Write(appendSpanLine(nil, sp, data[sp.Start:sp.End]))
	}
	var got bytes.Buffer
	if err := piiScan(iotest.OneByteReader(bytes.NewReader(data[:200_000])), io.Discard, false); err != nil {
		t.Fatal(err)
	}
	if err := piiScan(&oddReader{data: data}, &got, false); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		g, w := strings.Split(got.String(), "\n"), strings.Split(want.String(), "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("line %d: got %q, want %q (%d vs %d lines)", i, g[i], w[i], len(g), len(w))
			}
		}
		t.Fatalf("%d lines, want %d", len(g), len(w))
	}
	if strings.Count(want.String(), "\n") < 10000 {
		t.Fatalf("only %d spans: the input is not what the test means", strings.Count(want.String(), "\n"))
	}
}

// oddReader returns data in reads of varying odd sizes.
type oddReader struct {
	data []byte
	n    int
}

func (r *oddReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	r.n++
	k := min(len(p), len(r.data), 1+(r.n*7919)%65521)
	copy(p, r.data[:k])
	r.data = r.data[k:]
	return k, nil
}
