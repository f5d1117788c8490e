package domain

import (
	"crypto/rand"
	"slices"
	"strings"
	"testing"
)

func TestValidatePassword(t *testing.T) {
	refused := []struct {
		password, username, want string
	}{
		{"short", "rob", "at least 12 characters"},
		{"password1234", "rob", "most common"},
		{"PASSWORD1234", "rob", "most common"},
		{"Password1234!", "rob", "digits or symbols added"},
		{"!!2024sunshine", "rob", "digits or symbols added"},
		{"iloveyou12345678", "rob", "digits or symbols added"},
		{"aaaaaaaaaaaa", "rob", "too easy to guess"},
		{"123123123123", "rob", "too easy to guess"},
		{"abcdabcdabcd", "rob", "too easy to guess"},
		{"abcdefghijklmn", "rob", "too easy to guess"},
		{"qwertyuiop12", "rob", "too easy to guess"},
		{"0987654321zyx", "rob", "too easy to guess"},
		{"1qaz2wsx3edc4rfv", "rob", "too easy to guess"},
		{"alice2024!xyz", "alice", "user name"},
		{"my name is ALICE, hi", "alice", "user name"},
		{"rita.moreno2024!", "Rita.Moreno", "user name"},
		{"bad\xffutf8 password", "rob", "UTF-8"},
		{strings.Repeat("long password ", 100), "rob", "too long"},
	}
	for _, tc := range refused {
		if msg := ValidatePassword(tc.password, tc.username); !strings.Contains(msg, tc.want) {
			t.Errorf("ValidatePassword(%q, %q) = %q, want a message with %q", tc.password, tc.username, msg, tc.want)
		}
	}
	for _, ok := range []struct{ password, username string }{
		{"correct horse battery staple", "rob"},
		{"Vq7#mK2p!xLr", "alice"},
		{"tangerine-orbit-57-lantern", "al"}, // a name shorter than 3 is not looked for
		{"Zebra crossing at dawn!", "bo"},
	} {
		if msg := ValidatePassword(ok.password, ok.username); msg != "" {
			t.Errorf("ValidatePassword(%q, %q) = %q, want it accepted", ok.password, ok.username, msg)
		}
	}
	// Generated passwords, like the first admin's, always pass.
	for range 500 {
		p := rand.Text()
		if msg := ValidatePassword(p, "admin"); msg != "" {
			t.Fatalf("ValidatePassword(%q) = %q, want a generated password accepted", p, msg)
		}
	}
}

// TestCommonPasswordList: the embedded list is sorted and lowercased, as the binary search
// needs, and holds tens of thousands of entries.
func TestCommonPasswordList(t *testing.T) {
	list := commonPasswords()
	if len(list) < 50_000 {
		t.Fatalf("%d common passwords, want tens of thousands", len(list))
	}
	if !slices.IsSorted(list) {
		t.Error("the common password list is not sorted bytewise")
	}
	for _, p := range list {
		if p != strings.ToLower(p) || p == "" {
			t.Fatalf("entry %q is not a lowercased password", p)
		}
	}
}

func BenchmarkValidatePassword(b *testing.B) {
	for b.Loop() {
		ValidatePassword("Vq7#mK2p!xLr-quite-long", "alice")
	}
}
