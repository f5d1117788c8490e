package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
