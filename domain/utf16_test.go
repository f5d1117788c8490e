package domain_test

import (
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"tftsr/domain"
)

// encodeUTF16 writes s as UTF-16 in the byte order, with a byte-order mark when bom.
func encodeUTF16(s string, big, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xfeff}, units...)
	}
	out := make([]byte, 2*len(units))
	for i, u := range units {
		if big {
			binary.BigEndian.PutUint16(out[2*i:], u)
		} else {
			binary.LittleEndian.PutUint16(out[2*i:], u)
		}
	}
	return out
}

// Logs that Windows tools write in UTF-16 (with or without a byte-order mark, either byte order,
// alone or in a zip) are stored as UTF-8, and their personal data is found like any other's.
func TestUploadConvertsUTF16(t *testing.T) {
	text := "2026-11-28 08:00:01 Error Service Control Manager 7000: The Spooler service failed — logon as svc.print@example.com\r\n" +
		"2026-11-28 08:00:02 Warning Kerberos 4771: pre-authentication failed for WS-17 ünïcödé ✓\r\n"
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"le-bom.log", encodeUTF16(text, false, true)},
		{"be-bom.log", encodeUTF16(text, true, true)},
		{"le-plain.log", encodeUTF16(text, false, false)},
		{"be-plain.log", encodeUTF16(text, true, false)},
		{"events.zip", zipBytes(t, zipEntry{"System.log", encodeUTF16(text, false, true)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLogFixture(t, domain.LogLimits{})
			logs := f.mustUpload(t, tc.name, tc.data)
			if len(logs) != 1 {
				t.Fatalf("%d logs", len(logs))
			}
			out, err := f.svc.Gate().Log(f.viewer, logs[0].ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(text, "svc.print@example.com", "[Email]")
			if out.String() != want {
				t.Errorf("stored text:\n%q\nwant\n%q", out.String(), want)
			}
			if logs[0].SizeBytes != int64(len(text)) {
				t.Errorf("size %d, want the UTF-8 size %d", logs[0].SizeBytes, len(text))
			}
		})
	}
	// Binary data with NUL bytes is still refused, not taken for UTF-16.
	f := newLogFixture(t, domain.LogLimits{})
	if _, err := f.upload(t, "core.dump", append([]byte("\x00\x01\x02\x03text"), make([]byte, 64)...)); err == nil {
		t.Error("binary data was stored")
	}
}
