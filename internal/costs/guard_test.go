package costs

import (
	"strings"
	"testing"
)

// Whatever a seller SKU holds, the export's guard never leaves a formula and the import gets the SKU back.
func FuzzTheFormulaGuardRoundTrips(f *testing.F) {
	for _, s := range []string{"", "plain", "=1+1", "+1", "-5", "@SUM(A1)", "\tx", "\rx", "'", "'plain", "'=x", "''=x", "=", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g := guard(s)
		if got := unguard(g); got != s {
			t.Fatalf("unguard(guard(%q)) = %q", s, got)
		}
		if g != "" && strings.IndexByte(formulaStarts, g[0]) >= 0 {
			t.Fatalf("guard(%q) = %q still starts a formula", s, g)
		}
	})
}
