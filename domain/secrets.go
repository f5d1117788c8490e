package domain

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// MasterKeySize is the length in bytes of the master key a SecretBox is made from.
const MasterKeySize = 32

// secretBoxKeyV1 is the key id of the first key a SecretBox derives. It is the first byte of
// every ciphertext, so that a later key (a rotated master key, another KDF) can get its own id
// while old ciphertexts still say which key sealed them.
const secretBoxKeyV1 byte = 1

// secretBoxInfoV1 is the HKDF info string of key id 1. It separates these keys from any other
// key the portal might ever derive from the same master key.
const secretBoxInfoV1 = "tftsr provider api keys v1"

// secretNonceSize is the length of AES-GCM's nonce.
const secretNonceSize = 12

// errSecretOpen is the one error Open reports, whatever went wrong, so that it reveals nothing
// about the ciphertext.
var errSecretOpen = errors.New("secret box: cannot decrypt: the data is damaged or was sealed with another key")

// SecretBox seals small secrets (provider API keys) for storage: AES-256-GCM with a key derived
// from the master key by HKDF-SHA256, a random nonce per seal, and a key id in front. A sealed
// value is key id (1 byte) ‖ nonce (12 bytes) ‖ ciphertext and tag; the key id is also the
// additional authenticated data, so it cannot be swapped.
type SecretBox struct {
	aead cipher.AEAD
}

// NewSecretBox returns a SecretBox over a 32-byte master key.
func NewSecretBox(master []byte) (*SecretBox, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("secret box: the master key must be %d bytes, not %d", MasterKeySize, len(master))
	}
	key, err := hkdf.Key(sha256.New, master, nil, secretBoxInfoV1, 32)
	if err != nil {
		return nil, fmt.Errorf("secret box: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret box: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret box: %w", err)
	}
	return &SecretBox{aead: aead}, nil
}

// Seal encrypts plaintext. Two seals of the same plaintext differ.
func (b *SecretBox) Seal(plaintext []byte) ([]byte, error) {
	if b == nil || b.aead == nil {
		return nil, errors.New("secret box: no key")
	}
	out := make([]byte, 1+secretNonceSize, 1+secretNonceSize+len(plaintext)+b.aead.Overhead())
	out[0] = secretBoxKeyV1
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("secret box: nonce: %w", err)
	}
	return b.aead.Seal(out, out[1:], plaintext, out[:1]), nil
}

// Open decrypts what Seal sealed. A short, tampered or unknown-key ciphertext, or one sealed with
// another master key, is an error.
func (b *SecretBox) Open(sealed []byte) ([]byte, error) {
	if b == nil || b.aead == nil {
		return nil, errors.New("secret box: no key")
	}
	if len(sealed) < 1+secretNonceSize+b.aead.Overhead() || sealed[0] != secretBoxKeyV1 {
		return nil, errSecretOpen
	}
	plain, err := b.aead.Open(nil, sealed[1:1+secretNonceSize], sealed[1+secretNonceSize:], sealed[:1])
	if err != nil {
		return nil, errSecretOpen
	}
	return plain, nil
}
