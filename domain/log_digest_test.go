package domain_test

import (
	"strings"
	"testing"

	"tftsr/domain"
)

// A log's digest is mined once and kept while its text stays the same; applying redactions
// changes the text that leaves the portal, so the next digest is mined again from it.
func TestLogDigestIsKeptUntilTheTextChanges(t *testing.T) {
	f := newLogFixture(t, domain.LogLimits{})
	l := f.mustUpload(t, "app.log", []byte(secretLog))[0]
	gets := func() int {
		f.blobs.mu.Lock()
		defer f.blobs.mu.Unlock()
		return len(f.blobs.gets)
	}
	first, err := f.svc.Digest(f.viewer, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first.Lines == 0 || len(first.Templates) == 0 {
		t.Fatalf("digest = %+v", first)
	}
	for _, tm := range first.Templates {
		if strings.Contains(tm.Example, "alice.smith@example.com") {
			t.Fatalf("example holds a secret: %q", tm.Example)
		}
	}
	before := gets()
	again, err := f.svc.Digest(f.viewer, l.ID)
	if err != nil || gets() != before || again.Lines != first.Lines {
		t.Fatalf("second digest read the log again (%d reads -> %d), %v", before, gets(), err)
	}
	if _, err := f.svc.ApplyRedactions(f.responder, l.ID, nil); err != nil {
		t.Fatal(err)
	}
	before = gets()
	if _, err := f.svc.Digest(f.viewer, l.ID); err != nil || gets() == before {
		t.Fatalf("digest after redactions were applied was not mined again (%v)", err)
	}
	if _, err := f.svc.Digest(f.viewer, "no-such-log"); err == nil {
		t.Error("digest of an unknown log")
	}
}
