package domain

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// commonPasswordList is the embedded list of common passwords: lowercased, one a line, sorted
// bytewise. domain/passwords/README.md says where it comes from.
//
//go:embed passwords/common.txt
var commonPasswordList string

// commonPasswords returns the common passwords as a sorted slice, split once on first use.
var commonPasswords = sync.OnceValue(func() []string {
	return strings.Split(strings.TrimSuffix(commonPasswordList, "\n"), "\n")
})

// isCommonPassword reports whether the lowercased s is on the list of common passwords.
func isCommonPassword(s string) bool {
	_, found := slices.BinarySearch(commonPasswords(), s)
	return found
}

// minUsernameInPassword is the shortest user name a password is refused for containing: a
// shorter one would refuse too many good passwords by chance.
const minUsernameInPassword = 3

// ValidatePassword returns a message saying why p is not an acceptable password for the user
// called username, or "". A password must be 12 to 1024 bytes of text and must not be one of
// the common passwords the portal ships (compared in lower case, and again with the digits and
// symbols at either end taken off, so that "Password1234!" is common too), must not contain
// the user name, and must not be one character or a short group repeated, or a run along the
// alphabet, the digits or a keyboard row ("aaaaaaaaaaaa", "123123123123", "qwertyuiop12").
func ValidatePassword(p, username string) string {
	if !utf8.ValidString(p) {
		return "Password must be valid UTF-8 text."
	}
	if n := utf8.RuneCountInString(p); n < MinPasswordLen {
		return "Password must be at least 12 characters."
	} else if len(p) > MaxPasswordLen {
		return "Password is too long."
	}
	lower := strings.ToLower(p)
	if name := strings.ToLower(strings.TrimSpace(username)); utf8.RuneCountInString(name) >= minUsernameInPassword && strings.Contains(lower, name) {
		return "Password must not contain the user name."
	}
	if isRepetitive(lower) {
		return "Password is too easy to guess: it repeats characters or follows a keyboard, alphabet or digit sequence."
	}
	if isCommonPassword(lower) {
		return "Password is one of the most common passwords: choose one that is harder to guess."
	}
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	for _, core := range []string{
		strings.TrimRightFunc(lower, notLetter),
		strings.TrimLeftFunc(lower, notLetter),
		strings.TrimFunc(lower, notLetter),
	} {
		if core != lower && isCommonPassword(core) {
			return "Password is a common password with digits or symbols added: choose one that is harder to guess."
		}
	}
	return ""
}

// sequences are the runs people type as passwords: the alphabet, the digits and the keyboard's
// rows and columns, each also read backwards by isRepetitive.
var sequences = []string{
	"abcdefghijklmnopqrstuvwxyz",
	"01234567890",
	"qwertyuiop", "asdfghjkl", "zxcvbnm",
	"qwertzuiop", "azertyuiop", "qsdfghjklm", "wxcvbn",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
	"`1234567890-=", "~!@#$%^&*()_+",
}

// isRepetitive reports whether the lowercased s is too predictable: it has fewer than 5
// distinct characters, is a group of characters repeated, or is made of steps along a
// sequence (or of repeats) but for at most one jump.
func isRepetitive(s string) bool {
	r := []rune(s)
	distinct := map[rune]bool{}
	for _, c := range r {
		distinct[c] = true
	}
	if len(distinct) < 5 {
		return true
	}
	for k := 1; k <= len(r)/2; k++ {
		repeated := true
		for i := k; i < len(r); i++ {
			if r[i] != r[i-k] {
				repeated = false
				break
			}
		}
		if repeated {
			return true
		}
	}
	jumps := 0
	for i := 1; i < len(r) && jumps <= 1; i++ {
		if !isStep(r[i-1], r[i]) {
			jumps++
		}
	}
	return jumps <= 1
}

// isStep reports whether b follows a in a sequence, forwards or backwards, or repeats it.
func isStep(a, b rune) bool {
	if a == b {
		return true
	}
	for _, seq := range sequences {
		i := strings.IndexRune(seq, a)
		for i >= 0 {
			if i+1 < len(seq) && rune(seq[i+1]) == b || i > 0 && rune(seq[i-1]) == b {
				return true
			}
			next := strings.IndexRune(seq[i+1:], a)
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return false
}
