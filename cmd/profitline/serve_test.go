package main

import (
	"io"
	"math"
	"runtime/debug"
	"testing"

	"github.com/profitline/profitline/internal/app"
)

func TestServeFlagsChooseTheRole(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want app.Role
	}{
		{nil, app.RoleAll},
		{[]string{"-web"}, app.RoleWeb},
		{[]string{"--web"}, app.RoleWeb},
		{[]string{"-workers"}, app.RoleWorkers},
		{[]string{"-web=false", "-workers"}, app.RoleWorkers},
		{[]string{"-web", "-workers"}, app.RoleAll},
	} {
		got, err := parseServeArgs(tc.args, io.Discard)
		if err != nil || got != tc.want {
			t.Errorf("serve %v = %q, %v; want %q", tc.args, got, err, tc.want)
		}
	}
	for _, args := range [][]string{{"-worker"}, {"web"}, {"-web", "extra"}, {"-role=web"}} {
		if got, err := parseServeArgs(args, io.Discard); err == nil {
			t.Errorf("serve %v = %q; want an error", args, got)
		}
	}
}

func TestServeTunesTheCollectorUnlessTheEnvironmentDoes(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	tuneGC(func(string) string { return "" })
	if p, l := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64); p != gcPercent || l != memoryLimit {
		t.Errorf("with neither GOGC nor GOMEMLIMIT set: GOGC=%d, limit %d; want %d and %d", p, l, gcPercent, memoryLimit)
	}
	tuneGC(func(k string) string { return map[string]string{"GOGC": "150", "GOMEMLIMIT": "1GiB"}[k] })
	if p, l := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64); p != 100 || l != math.MaxInt64 {
		t.Errorf("with both set: serve changed them to GOGC=%d, limit %d", p, l)
	}
}
