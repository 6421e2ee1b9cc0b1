package web

import (
	"slices"
	"testing"
	"time"
)

func TestAlertStepsReadBackAsTheyWereWritten(t *testing.T) {
	steps, err := parseSteps("48, 1.5; 0.25 20")
	if err != nil {
		t.Fatal(err)
	}
	if want := []time.Duration{48 * time.Hour, 90 * time.Minute, 15 * time.Minute, 20 * time.Hour}; !slices.Equal(steps, want) {
		t.Errorf("parseSteps = %v; want %v", steps, want)
	}
	if got := stepsText([]time.Duration{24 * time.Hour, 90 * time.Minute, 20 * time.Minute}); got != "24, 1.5, 0.33" {
		t.Errorf("stepsText = %q", got)
	}
	for _, bad := range []string{"", "soon", "-1", "0"} {
		if _, err := parseSteps(bad); err == nil {
			t.Errorf("parseSteps(%q) accepted", bad)
		}
	}
}
