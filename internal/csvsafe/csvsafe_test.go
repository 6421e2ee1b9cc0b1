package csvsafe_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/profitline/profitline/internal/csvsafe"
)

// Whatever a cell holds, Guard never leaves a formula (a plain number is not one) and Unguard gets the cell back.
func FuzzTheFormulaGuardRoundTrips(f *testing.F) {
	for _, s := range []string{"", "plain", "=1+1", "+1", "-5", "-5.20", "-5+1", "-", "-.5", "@SUM(A1)", "\tx", "\rx",
		"'", "'plain", "'=x", "''=x", "=", "'-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g := csvsafe.Guard(s)
		if got := csvsafe.Unguard(g); got != s {
			t.Fatalf("Unguard(Guard(%q)) = %q", s, got)
		}
		if g != "" && strings.ContainsRune("=+-@\t\r", rune(g[0])) && !plainNumber(g) {
			t.Fatalf("Guard(%q) = %q still starts a formula", s, g)
		}
	})
}

func plainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Count(s, ".") > 1 {
		return false
	}
	return strings.Trim(s, "0123456789.") == ""
}

func TestTheWriterPrefixesFormulasAndLeavesNumbersAndTextAlone(t *testing.T) {
	var buf bytes.Buffer
	w := csvsafe.NewWriter(&buf)
	in := []string{`=HYPERLINK("http://evil.example","x")`, "+1", "-1+1", "@SUM(A1)", "\tTAB", "\rCR", "-12.30", "0.50", "TEE-BLK-M", ""}
	if err := w.Write(in); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).Read()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`'=HYPERLINK("http://evil.example","x")`, "'+1", "'-1+1", "'@SUM(A1)", "'\tTAB", "'\rCR", "-12.30", "0.50", "TEE-BLK-M", ""}
	if !slices.Equal(got, want) {
		t.Fatalf("wrote %q\nwant  %q", got, want)
	}
	if !slices.Equal(in, []string{`=HYPERLINK("http://evil.example","x")`, "+1", "-1+1", "@SUM(A1)", "\tTAB", "\rCR", "-12.30", "0.50", "TEE-BLK-M", ""}) {
		t.Fatalf("Write changed the caller's record: %q", in)
	}
}
