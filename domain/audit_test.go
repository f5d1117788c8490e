package domain_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tftsr/domain"
)

func TestAuditKeys(t *testing.T) {
	master := bytes.Repeat([]byte{7}, domain.MasterKeySize)
	keys, err := domain.NewAuditKeys(master)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := domain.NewAuditKeys(master[:16]); err == nil {
		t.Fatal("a short master key was accepted")
	}
	e := &domain.AuditEntry{ID: "id", At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Action: "a",
		EntityType: "t", EntityID: "e", Details: json.RawMessage(`{"b":1,"a":2}`)}
	mac := keys.ComputeMAC(e, "prev")
	if len(mac) != 64 || mac == e.ComputeHash("prev") || mac != keys.ComputeMAC(e, "prev") {
		t.Fatalf("MAC %s: want 64 hex digits, stable and unlike the unkeyed hash", mac)
	}
	if mac == keys.ComputeMAC(e, "other") {
		t.Fatal("the MAC does not cover the previous hash")
	}
	again, _ := domain.NewAuditKeys(master)
	other, _ := domain.NewAuditKeys(bytes.Repeat([]byte{8}, domain.MasterKeySize))
	if again.ComputeMAC(e, "prev") != mac || other.ComputeMAC(e, "prev") == mac {
		t.Fatal("the MAC does not follow the master key")
	}

	cp := &domain.AuditCheckpoint{Seq: 42, Entries: 40, Head: mac, At: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)}
	keys.Sign(cp)
	if !keys.ValidSignature(cp) || other.ValidSignature(cp) {
		t.Fatal("signature checks wrong")
	}
	// The checkpoint key is not the chain key: a signature is no entry MAC.
	if cp.Sig == mac {
		t.Fatal("signature equals a MAC")
	}
	line := cp.Line()
	want := "tftsr-audit-checkpoint v1 seq=42 entries=40 head=" + mac + " at=2026-05-06T07:08:09Z sig=" + cp.Sig
	if line != want {
		t.Fatalf("line = %q, want %q", line, want)
	}
	back, err := domain.ParseAuditCheckpoint("  " + line + "\n")
	if err != nil || *back != *cp || !keys.ValidSignature(back) {
		t.Fatalf("parsed %+v, %v; want %+v", back, err, cp)
	}
	for _, f := range []func(*domain.AuditCheckpoint){
		func(c *domain.AuditCheckpoint) { c.Seq++ },
		func(c *domain.AuditCheckpoint) { c.Entries-- },
		func(c *domain.AuditCheckpoint) { c.Head = strings.Repeat("0", 64) },
		func(c *domain.AuditCheckpoint) { c.At = c.At.Add(time.Second) },
	} {
		c := *cp
		f(&c)
		if keys.ValidSignature(&c) {
			t.Errorf("altered checkpoint %+v still verifies", c)
		}
	}

	for _, bad := range []string{
		"",
		"tftsr-audit-checkpoint v2 " + strings.TrimPrefix(line, "tftsr-audit-checkpoint v1 "),
		strings.Replace(line, "seq=42", "seq=-1", 1),
		strings.Replace(line, "seq=42", "seq=x", 1),
		strings.Replace(line, "entries=40", "entries=0", 1),
		strings.Replace(line, "head="+mac, "head=abc", 1),
		strings.Replace(line, "head="+mac, "head="+strings.ToUpper(mac), 1),
		strings.Replace(line, "at=2026-05-06T07:08:09Z", "at=yesterday", 1),
		strings.Replace(line, " sig=", " signature=", 1),
		line + " extra=1",
		strings.Replace(line, "seq=42 entries=40", "entries=40 seq=42", 1),
	} {
		if _, err := domain.ParseAuditCheckpoint(bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseAuditCheckpoint(%q) = %v, want an invalid error", bad, err)
		}
	}
}
