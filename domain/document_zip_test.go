package domain

import "testing"

func TestZipImageName(t *testing.T) {
	taken := map[string]bool{}
	for _, tc := range []struct{ file, mime, want string }{
		{"disk.png", "image/png", "disk.png"},
		{"DISK.png", "image/png", "DISK-2.png"},
		{"../../etc/passwd", "image/jpeg", "passwd.jpg"},
		{`C:\Users\eve\shot.gif`, "image/gif", "shot.gif"},
		{".hidden.webp", "image/webp", "hidden.webp"},
		{"<script>alert(1)</script>.png", "image/png", "script_.png"},
		{"schön ünïcode.png", "image/png", "sch_n__n_code.png"},
		{"..", "image/png", "image.png"},
		{"", "image/png", "image-2.png"},
		{"evil.png.exe", "image/png", "evil.png.png"},
		{"\u202egnp.exe", "image/png", "gnp.png"},
		{"x.svg", "image/svg+xml", "x.bin"},
	} {
		if got := zipImageName(&ImageAttachment{FileName: tc.file, MimeType: tc.mime}, taken); got != tc.want {
			t.Errorf("zipImageName(%q) = %q, want %q", tc.file, got, tc.want)
		}
	}
}
