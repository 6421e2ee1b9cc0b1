package password

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCheckAppliesEachRule(t *testing.T) {
	t.Parallel()
	const email = "maya.lopez+shop@example.com"
	cases := []struct {
		name, pw, email string
		want            error
	}{
		{"a long unusual passphrase passes", "violet kettle orbit 42", email, nil},
		{"eleven characters are too few", "vKt0rb!tQ9z", email, ErrTooShort},
		{"twelve characters are enough", "vKt0rb!tQ9zW", email, nil},
		{"length counts characters, not bytes", "ééééééééééé", email, ErrTooShort},
		{"twelve accented letters are enough", "éàüöñçøåßęłž", email, nil},
		{"256 bytes are allowed", strings.Repeat("violet kettle orbit ", 12) + "orbitorbitorbito", email, nil},
		{"257 bytes are too many", strings.Repeat("v", 257), email, ErrTooLong},
		{"129 two-byte letters are too many bytes", strings.Repeat("é", 129), email, ErrTooLong},
		{"a common password is refused", "qwertyuiop123", email, ErrCommon},
		{"the list ignores case", "BaseBall1234", email, ErrCommon},
		{"trailing digits and punctuation are stripped", "Password123!", email, ErrCommon},
		{"trailing symbols and spaces are stripped", "Sunshine$$ 2024+", email, ErrCommon},
		{"a long common password is refused as it is", "123456789012", email, ErrCommon},
		{"a common word with leading decoration is not in the list", "!!!!password", email, nil},
		{"the email's local part is refused", "maya.lopez+shop2026", email, ErrContainsEmail},
		{"the local part before a +tag is refused", "xx-Maya.Lopez-xx", email, ErrContainsEmail},
		{"the local part in any case is refused", "MAYA.LOPEZ!!2026", email, ErrContainsEmail},
		{"a local part under four characters is ignored", "jo-violet-kettle", "jo@example.com", nil},
		{"a four-character local part counts", "ab12-violet-kettle", "ab12@example.com", ErrContainsEmail},
		{"the domain alone is fine", "example.com-violet", email, nil},
		{"an email without @ counts as a local part", "kettle-mayalopez-7", "mayalopez", ErrContainsEmail},
	}
	for _, c := range cases {
		if got := Check(c.pw, c.email); !errors.Is(got, c.want) || (c.want == nil && got != nil) {
			t.Errorf("%s: Check(%q) = %v, want %v", c.name, c.pw, got, c.want)
		}
	}
}

func TestPolicyErrorsAreSentencesForTheSeller(t *testing.T) {
	t.Parallel()
	for _, err := range []error{ErrTooShort, ErrTooLong, ErrCommon, ErrContainsEmail} {
		msg := err.Error()
		if !unicode.IsUpper([]rune(msg)[0]) || !strings.HasSuffix(msg, ".") || strings.Contains(msg, "password:") {
			t.Errorf("%q is not a sentence for a seller", msg)
		}
		var pe *PolicyError
		if !errors.As(err, &pe) {
			t.Errorf("%q is not a *PolicyError", msg)
		}
	}
}

func TestTheCommonListIsLowerCaseDeduplicatedAndLong(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for line := range strings.Lines(commonTxt) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" || strings.TrimSpace(line) != line:
			t.Errorf("blank or padded line %q", line)
		case strings.ToLower(line) != line:
			t.Errorf("%q is not lower case", line)
		case seen[line]:
			t.Errorf("%q is listed twice", line)
		}
		seen[line] = true
	}
	if len(seen) < 300 || len(common()) != len(seen) {
		t.Fatalf("the list has %d lines and the set %d entries; want at least 300 each", len(seen), len(common()))
	}
}

func FuzzCheckAcceptsOnlyWhatThePolicyAllows(f *testing.F) {
	for _, s := range []string{"password", "correct horse battery staple", "Password123!", "jane.doe-long-passphrase", "\x00\xff"} {
		f.Add(s, "jane.doe@example.com")
	}
	f.Fuzz(func(t *testing.T, pw, email string) {
		if err := Check(pw, email); err != nil {
			return
		}
		if utf8.RuneCountInString(pw) < 12 || len(pw) > 256 {
			t.Fatalf("Check accepted %q (%d runes, %d bytes)", pw, utf8.RuneCountInString(pw), len(pw))
		}
	})
}
