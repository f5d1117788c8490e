package db

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are the argon2id cost parameters new password hashes are made with. Hashes keep
// their own parameters, so changing these affects only passwords set afterwards.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultPasswordParams costs about 70 ms and 64 MiB per hash on two cores.
var DefaultPasswordParams = PasswordParams{Memory: 64 * 1024, Time: 2, Threads: 2}

// TestPasswordParams is a cheap setting for test suites. Never use it in production.
var TestPasswordParams = PasswordParams{Memory: 1024, Time: 1, Threads: 1}

const (
	passwordSaltLen = 16
	passwordKeyLen  = 32
)

// hashPassword returns the argon2id hash of password in the PHC string format:
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>, with unpadded standard base64.
func hashPassword(password string, p PasswordParams) (string, error) {
	salt := make([]byte, passwordSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, passwordKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// errBadPasswordHash reports a stored hash that cannot be parsed.
var errBadPasswordHash = errors.New("malformed password hash")

// verifyPassword reports whether password matches the PHC-format argon2id hash encoded. The
// comparison takes constant time.
func verifyPassword(password, encoded string) (bool, error) {
	if encoded == "" {
		// A user of single sign-on has no password: nothing matches.
		return false, nil
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadPasswordHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadPasswordHash
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Time == 0 || p.Threads == 0 || p.Memory < 8*uint32(p.Threads) {
		return false, errBadPasswordHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadPasswordHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadPasswordHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyPasswordWork spends as long as checking a password hashed with p, so that a sign-in
// for an unknown user takes as long as one for a known user.
func dummyPasswordWork(password string, p PasswordParams) {
	argon2.IDKey([]byte(password), make([]byte, passwordSaltLen), p.Time, p.Memory, p.Threads, passwordKeyLen)
}
