package password

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// PolicyError is a password the policy refuses. Its message is a whole sentence written for the seller, to show on
// the form as it is.
type PolicyError struct{ sentence string }

func (e *PolicyError) Error() string { return e.sentence }

// The policy's refusals. Check returns one of these values; compare with errors.Is.
var (
	ErrTooShort = &PolicyError{"Use at least 12 characters."}
	ErrTooLong  = &PolicyError{"Use at most 256 characters (accented letters and emoji count as more than one)."}
	ErrCommon   = &PolicyError{"This password is one of the most common ones, so it is easy to guess. Choose another."}
	// ErrContainsEmail: a password built from the email is the first thing an attacker who knows the email tries.
	ErrContainsEmail = &PolicyError{"Don't use your email address in your password."}
)

const (
	minRunes = 12
	// maxBytes bounds the work a sign-up or reset form can ask of argon2 and keeps the stored inputs sane; 256 bytes
	// is far beyond any password a person or a password manager uses.
	maxBytes = 256
	// minLocalPart: below this, an email's local part ("jo") is too short to matter, and refusing every password
	// that contains it would refuse good passwords.
	minLocalPart = 4
)

//go:embed common.txt
var commonTxt string

// common is the embedded list of very common passwords, one lower-case password a line, as a set. It is parsed on
// first use, so binaries that never check a password never pay for it.
var common = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 1024)
	for line := range strings.Lines(commonTxt) {
		if line = strings.TrimSpace(line); line != "" {
			set[line] = struct{}{}
		}
	}
	return set
})

// Check applies the policy for a new password of the seller whose email is given: at least 12 characters, at most
// 256 bytes, not a common password (ignoring case and any digits or punctuation added at the end, so
// "Password123!" counts as "password"), and not containing the email's local part. It returns nil or one of the
// Err values above.
func Check(pw, email string) error {
	if len(pw) > maxBytes {
		return ErrTooLong
	}
	if utf8.RuneCountInString(pw) < minRunes {
		return ErrTooShort
	}
	lower := strings.ToLower(pw)
	if containsLocalPart(lower, email) {
		return ErrContainsEmail
	}
	if isCommon(lower) {
		return ErrCommon
	}
	return nil
}

// isCommon looks up a lower-cased password as it is and with its trailing digits, punctuation, symbols and spaces
// removed, the decorations people add to satisfy "add a number and a symbol" rules.
func isCommon(lower string) bool {
	list := common()
	if _, ok := list[lower]; ok {
		return true
	}
	base := strings.TrimRightFunc(lower, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
	_, ok := list[base]
	return ok
}

// containsLocalPart reports whether the lower-cased password contains the email's local part (all of it, if it has
// no @), or the part of that before a "+tag", when that is at least minLocalPart characters long.
func containsLocalPart(lower, email string) bool {
	local := email
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		local = email[:at]
	}
	local = strings.ToLower(local)
	candidates := []string{local}
	if base, _, tagged := strings.Cut(local, "+"); tagged {
		candidates = append(candidates, base)
	}
	for _, c := range candidates {
		if utf8.RuneCountInString(c) >= minLocalPart && strings.Contains(lower, c) {
			return true
		}
	}
	return false
}
