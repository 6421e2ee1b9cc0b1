package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/store"
)

// preferencesPath is Settings -> Preferences: the seller's time zone, in which the dashboard's days begin.
const preferencesPath = "/settings/preferences"

// commonZones are the zones offered first: TikTok Shop's markets and where their sellers work. The seller's own
// zone is offered too when it is not among them.
var commonZones = []string{
	"UTC", "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Vancouver", "America/Phoenix",
	"America/Denver", "America/Chicago", "America/Mexico_City", "America/New_York", "America/Toronto",
	"America/Sao_Paulo", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
	"Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Warsaw", "Europe/Athens", "Europe/Istanbul",
	"Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Bangkok", "Asia/Jakarta", "Asia/Ho_Chi_Minh",
	"Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Manila", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Tokyo",
	"Asia/Seoul", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland",
}

type preferencesView struct {
	Zone   string // the seller's zone now
	Zones  []zoneOption
	Flash  string
	Errors formErrors // Fields["time_zone"]
}

type zoneOption struct {
	Name     string
	Label    string // "(UTC−05:00) America/New_York"
	Selected bool
}

// zoneOptions lists the common zones and current, by their offset from UTC at now, then name.
func zoneOptions(current string, now time.Time) []zoneOption {
	names := slices.Clone(commonZones)
	if !slices.Contains(names, current) {
		names = append(names, current)
	}
	type zone struct {
		name   string
		offset int
	}
	zones := make([]zone, 0, len(names))
	for _, n := range names {
		loc, err := time.LoadLocation(n)
		if err != nil {
			continue
		}
		_, off := now.In(loc).Zone()
		zones = append(zones, zone{n, off})
	}
	slices.SortFunc(zones, func(a, b zone) int {
		if a.offset != b.offset {
			return a.offset - b.offset
		}
		return strings.Compare(a.name, b.name)
	})
	out := make([]zoneOption, len(zones))
	for i, z := range zones {
		out[i] = zoneOption{Name: z.name, Label: "(UTC" + offsetText(z.offset) + ") " + strings.ReplaceAll(z.name, "_", " "), Selected: z.name == current}
	}
	return out
}

// offsetText writes an offset from UTC in seconds: "+05:30", "−08:00".
func offsetText(secs int) string {
	sign := "+"
	if secs < 0 {
		sign, secs = "−", -secs
	}
	return fmt.Sprintf("%s%02d:%02d", sign, secs/3600, secs%3600/60)
}

func (s *Server) preferencesPage(c echo.Context) error {
	flash := ""
	switch c.QueryParam("done") {
	case "zone":
		flash = "Time zone saved. Your figures are now counted in days of that zone."
	case "same":
		flash = "That was already your time zone."
	}
	return s.renderPreferences(c, http.StatusOK, preferencesView{Flash: flash})
}

func (s *Server) renderPreferences(c echo.Context, status int, view preferencesView) error {
	ctx := c.Request().Context()
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		view.Zone = zone.String()
		return nil
	})
	if err != nil {
		return err
	}
	view.Zones = zoneOptions(view.Zone, s.opts.Clock.Now())
	return s.render(c, status, "preferences", "Preferences", view)
}

// setTimeZone saves the seller's time zone. A change recounts every profit figure in days of the new zone (in
// this transaction), so it is audited.
func (s *Server) setTimeZone(c echo.Context) error {
	ctx := c.Request().Context()
	name := strings.TrimSpace(c.FormValue("time_zone"))
	var changed bool
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		before, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		if changed, err = rollup.SetTimeZone(ctx, tx, name); err != nil {
			return err
		}
		return tx.Audit(ctx, "account.time_zone", account.IPHint(c.RealIP()), map[string]any{
			"from": before.String(), "to": name, "changed": changed})
	})
	if errors.Is(err, rollup.ErrUnknownZone) {
		return s.renderPreferences(c, http.StatusUnprocessableEntity, preferencesView{Errors: formErrors{
			Form:   "The time zone was not saved.",
			Fields: map[string]string{"time_zone": fmt.Sprintf("%q is not a time zone we know. Choose one from the list.", name)}}})
	}
	if err != nil {
		return err
	}
	done := "zone"
	if !changed {
		done = "same"
	}
	return c.Redirect(http.StatusSeeOther, preferencesPath+"?done="+done)
}
