package domain_test

import (
	"bytes"
	"testing"

	"tftsr/domain"
)

func testBox(t *testing.T, fill byte) *domain.SecretBox {
	t.Helper()
	b, err := domain.NewSecretBox(bytes.Repeat([]byte{fill}, domain.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSecretBoxRoundTrip(t *testing.T) {
	box := testBox(t, 7)
	for _, plain := range []string{"", "sk-test-1234567890", string(bytes.Repeat([]byte("k"), 5000)), "ключ 🔑"} {
		sealed, err := box.Seal([]byte(plain))
		if err != nil {
			t.Fatal(err)
		}
		if plain != "" && bytes.Contains(sealed, []byte(plain)) {
			t.Fatalf("sealed value contains the plaintext")
		}
		got, err := box.Open(sealed)
		if err != nil {
			t.Fatalf("Open(Seal(%q)): %v", plain, err)
		}
		if string(got) != plain {
			t.Fatalf("Open(Seal(%q)) = %q", plain, got)
		}
	}
}

func TestSecretBoxSealsDiffer(t *testing.T) {
	box := testBox(t, 7)
	a, _ := box.Seal([]byte("same"))
	b, _ := box.Seal([]byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are equal")
	}
	if a[0] != 1 || b[0] != 1 {
		t.Fatalf("key id = %d, %d; want 1", a[0], b[0])
	}
}

func TestSecretBoxRejects(t *testing.T) {
	box := testBox(t, 7)
	sealed, err := box.Seal([]byte("sk-secret"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name string
		box  *domain.SecretBox
		in   []byte
	}{
		{name: "nil", box: box, in: nil},
		{name: "key id only", box: box, in: sealed[:1]},
		{name: "shorter than nonce and tag", box: box, in: sealed[:1+12+15]},
		{name: "truncated", box: box, in: sealed[:len(sealed)-1]},
		{name: "unknown key id", box: box, in: flip(0)},
		{name: "tampered nonce", box: box, in: flip(3)},
		{name: "tampered ciphertext", box: box, in: flip(14)},
		{name: "tampered tag", box: box, in: flip(len(sealed) - 1)},
		{name: "wrong master key", box: testBox(t, 8), in: sealed},
		{name: "nil box", box: nil, in: sealed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := tt.box.Open(tt.in); err == nil {
				t.Fatalf("Open succeeded: %q", got)
			}
		})
	}
}

func TestNewSecretBoxKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := domain.NewSecretBox(make([]byte, n)); err == nil {
			t.Errorf("NewSecretBox accepted a %d-byte key", n)
		}
	}
	var nilBox *domain.SecretBox
	if _, err := nilBox.Seal([]byte("x")); err == nil {
		t.Error("a nil box sealed")
	}
}
