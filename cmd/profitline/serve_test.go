package main

import (
	"io"
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
