package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/profitline/profitline/internal/account"
	"github.com/profitline/profitline/internal/ratelimit"
	"github.com/profitline/profitline/internal/returns"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/sellerhook"
	"github.com/profitline/profitline/internal/store"
)

// alertSettingsPath is Settings -> Alerts: when and how return deadlines are announced.
const alertSettingsPath = "/settings/alerts"

// alertSettingsView is Settings -> Alerts, and the page the one-click link in an alert opens (OneClick).
type alertSettingsView struct {
	Steps             string // hours before a deadline, "24, 12, 4, 1"
	QuietOn           bool
	QuietFrom         string // "22:00", in Zone
	QuietTo           string
	Email, Digest     bool
	Zone              string
	DigestHour        string
	Flash             string
	Errors            formErrors // Fields: steps, quiet
	OneClick          bool       // the page of the one-click link: no sign-in, one button
	Token             string     // the one-click link's token, posted back
	OneClickDone      bool
	OneClickInvalid   bool
	OneClickExpired   bool
	ReturnsURL        string
	PreferencesURL    string
	DefaultStepsHours string
	Webhook           webhookView

	typedWebhookURL string // what the seller entered, shown again with its error
}

// webhookView is the seller's outgoing webhook on Settings -> Alerts.
type webhookView struct {
	Set             bool
	URL             string
	Secret          string // shown so the seller can verify signatures
	SignatureHeader string
	CanTest         bool
	Deliveries      []webhookDeliveryRow
}

// webhookDeliveryRow is one recent delivery: when, what, and how the endpoint answered.
type webhookDeliveryRow struct {
	When, What, Outcome string
	Failed              bool
}

// hoursText writes a step as hours: 24h is "24", 90 min is "1.5", 20 min is "0.33".
func hoursText(d time.Duration) string {
	return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(d.Hours(), 'f', 2, 64), "0"), ".")
}

func stepsText(steps []time.Duration) string {
	parts := make([]string, len(steps))
	for i, d := range steps {
		parts[i] = hoursText(d)
	}
	return strings.Join(parts, ", ")
}

// clockText writes an offset from midnight as "HH:MM".
func clockText(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func (v *alertSettingsView) fill(s returns.Settings, zone string) {
	v.Steps, v.Email, v.Digest, v.Zone = stepsText(s.Steps), s.Email, s.Digest, zone
	v.QuietOn = s.QuietStart != s.QuietEnd
	v.QuietFrom, v.QuietTo = clockText(s.QuietStart), clockText(s.QuietEnd)
	if !v.QuietOn {
		d := returns.DefaultSettings()
		v.QuietFrom, v.QuietTo = clockText(d.QuietStart), clockText(d.QuietEnd)
	}
	v.DigestHour = clockText(returns.DigestHour * time.Hour)
	v.ReturnsURL, v.PreferencesURL = "/returns", preferencesPath
	v.DefaultStepsHours = stepsText(returns.DefaultSettings().Steps)
}

func (s *Server) alertSettingsPage(c echo.Context) error {
	flash := ""
	switch c.QueryParam("done") {
	case "saved":
		flash = "Alert settings saved. Alerts not sent yet are planned again with them."
	case "webhook-saved":
		flash = "Webhook saved. Alerts go to it from now on; send a test to check that it answers."
	case "webhook-removed":
		flash = "Webhook removed. Deliveries still queued for it are dropped."
	case "webhook-rotated":
		flash = "New signing secret made. Everything sent from now on is signed with it: update your endpoint."
	case "webhook-test":
		flash = "A test is on its way to your webhook. Reload this page in a moment to see how it answered."
	}
	return s.renderAlertSettings(c, http.StatusOK, alertSettingsView{Flash: flash}, nil)
}

// renderAlertSettings shows the page with the stored settings, or with form (what the seller entered) when set.
func (s *Server) renderAlertSettings(c echo.Context, status int, view alertSettingsView, form *alertSettingsView) error {
	ctx := c.Request().Context()
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		zone, err := rollup.TimeZone(ctx, tx)
		if err != nil {
			return err
		}
		st, err := returns.LoadSettings(ctx, tx)
		if err != nil {
			return err
		}
		view.fill(st, zone.String())
		return s.fillWebhook(ctx, tx, &view.Webhook, zone)
	})
	if err != nil {
		return err
	}
	if view.typedWebhookURL != "" {
		view.Webhook.URL = view.typedWebhookURL
	}
	if form != nil {
		view.Steps, view.QuietOn, view.QuietFrom, view.QuietTo = form.Steps, form.QuietOn, form.QuietFrom, form.QuietTo
		view.Email, view.Digest = form.Email, form.Digest
	}
	return s.render(c, status, "alert_settings", "Alert settings", view)
}

// parseSteps reads "24, 12, 4, 1" (hours, decimals allowed) into a ladder.
func parseSteps(text string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		h, err := strconv.ParseFloat(f, 64)
		if err != nil || h <= 0 {
			return nil, fmt.Errorf("%q is not a number of hours", f)
		}
		out = append(out, time.Duration(h*60+0.5)*time.Minute)
	}
	if len(out) == 0 {
		return nil, errors.New("give at least one step")
	}
	return out, nil
}

// parseClock reads "HH:MM" as an offset from midnight.
func parseClock(text string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(text))
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", text)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// saveAlertSettings stores the seller's alert settings (audited) and plans their pending alerts again.
func (s *Server) saveAlertSettings(c echo.Context) error {
	ctx := c.Request().Context()
	form := alertSettingsView{Steps: c.FormValue("steps"), QuietOn: c.FormValue("quiet") == "on",
		QuietFrom: c.FormValue("quiet_from"), QuietTo: c.FormValue("quiet_to"),
		Email: c.FormValue("email") == "on", Digest: c.FormValue("digest") == "on"}
	fields := map[string]string{}
	st := returns.Settings{Email: form.Email, Digest: form.Digest}
	var err error
	if st.Steps, err = parseSteps(form.Steps); err != nil {
		fields["steps"] = "Steps are hours before the deadline, separated by commas, such as 24, 12, 4, 1: " + err.Error() + "."
	}
	if form.QuietOn {
		from, err1 := parseClock(form.QuietFrom)
		to, err2 := parseClock(form.QuietTo)
		switch {
		case err1 != nil || err2 != nil:
			fields["quiet"] = "Quiet hours start and end at a time of day, such as 22:00 and 07:00."
		case from == to:
			fields["quiet"] = "Quiet hours must start and end at different times."
		default:
			st.QuietStart, st.QuietEnd = from, to
		}
	}
	if len(fields) == 0 {
		if err := st.Validate(); err != nil {
			fields["steps"] = strings.ToUpper(err.Error()[:1]) + err.Error()[1:] + "."
		}
	}
	if len(fields) > 0 {
		return s.renderAlertSettings(c, http.StatusUnprocessableEntity, alertSettingsView{Errors: formErrors{
			Form: "The alert settings were not saved.", Fields: fields}}, &form)
	}
	err = s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		if err := returns.SaveSettings(ctx, tx, st); err != nil {
			return err
		}
		return tx.Audit(ctx, "alerts.settings", account.IPHint(c.RealIP()), map[string]any{
			"steps": stepsText(st.Steps), "quiet": form.QuietOn, "quiet_from": clockText(st.QuietStart),
			"quiet_to": clockText(st.QuietEnd), "email": st.Email, "digest": st.Digest})
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, alertSettingsPath+"?done=saved")
}

// oneClickPage is where the link in an alert leads: it shows the seller's alert settings and one button that
// turns alert emails off. A GET changes nothing.
func (s *Server) oneClickPage(c echo.Context) error {
	return s.oneClick(c, false)
}

// oneClickPause turns alert emails off for the seller the link names (audited).
func (s *Server) oneClickPause(c echo.Context) error {
	return s.oneClick(c, true)
}

func (s *Server) oneClick(c echo.Context, pause bool) error {
	ctx := c.Request().Context()
	token := c.QueryParam("t")
	if pause {
		token = c.FormValue("t")
	}
	view := alertSettingsView{OneClick: true, Token: token}
	userID, err := returns.LinkUser(token)
	if err == nil {
		err = s.opts.Store.InTenant(ctx, userID, func(tx *store.Tx) error {
			if err := returns.OpenSettingsLink(ctx, tx, token, s.opts.Clock.Now()); err != nil {
				return err
			}
			st, err := returns.LoadSettings(ctx, tx)
			if err != nil {
				return err
			}
			if pause && st.Email {
				st.Email = false
				if err := returns.SaveSettings(ctx, tx, st); err != nil {
					return err
				}
				if err := tx.Audit(ctx, "alerts.settings", account.IPHint(c.RealIP()), map[string]any{
					"email": false, "via": "one-click link"}); err != nil {
					return err
				}
			}
			zone, err := rollup.TimeZone(ctx, tx)
			if err != nil {
				return err
			}
			view.fill(st, zone.String())
			view.OneClickDone = pause
			return nil
		})
	}
	switch {
	case errors.Is(err, returns.ErrLinkExpired):
		view.OneClickExpired = true
		return s.render(c, http.StatusGone, "alert_settings", "Alert settings", view)
	case errors.Is(err, returns.ErrLinkInvalid), errors.Is(err, store.ErrShredded), errors.Is(err, store.ErrNoTenant):
		view.OneClickInvalid = true
		return s.render(c, http.StatusNotFound, "alert_settings", "Alert settings", view)
	case err != nil:
		return err
	}
	return s.render(c, http.StatusOK, "alert_settings", "Alert settings", view)
}

// webhookPath is where the seller's outgoing webhook is set (and /rotate, /test under it).
const webhookPath = alertSettingsPath + "/webhook"

// recentDeliveries is how many of the webhook's deliveries Settings -> Alerts lists.
const recentDeliveries = 5

func (s *Server) fillWebhook(ctx context.Context, tx *store.Tx, v *webhookView, zone *time.Location) error {
	v.SignatureHeader, v.CanTest = sellerhook.SignatureHeader, s.opts.Jobs != nil
	h, err := sellerhook.Get(ctx, tx)
	if errors.Is(err, sellerhook.ErrNotSet) {
		return nil
	}
	if err != nil {
		return err
	}
	v.Set, v.URL, v.Secret = true, h.URL, h.Secret
	recent, err := sellerhook.Recent(ctx, tx, recentDeliveries)
	if err != nil {
		return err
	}
	for _, d := range recent {
		row := webhookDeliveryRow{When: d.CreatedAt.In(zone).Format("Mon 2 Jan 15:04"), What: "Alert"}
		if d.Kind == sellerhook.KindTest {
			row.What = "Test"
		}
		switch {
		case d.DeliveredAt != nil:
			row.Outcome = fmt.Sprintf("Delivered (HTTP %d)", d.LastStatus)
		case d.FailedAt != nil:
			row.Failed, row.Outcome = true, "Failed after "+plural(d.Attempts, "attempt")+": "+d.LastError
		case d.Attempts > 0:
			row.Outcome = "Retrying after " + plural(d.Attempts, "attempt") + ": " + d.LastError
		default:
			row.Outcome = "Queued"
		}
		v.Deliveries = append(v.Deliveries, row)
	}
	return nil
}

// saveWebhook sets the seller's outgoing webhook (audited; a first one gets a signing secret), or removes it.
func (s *Server) saveWebhook(c echo.Context) error {
	ctx := c.Request().Context()
	ip := account.IPHint(c.RealIP())
	if c.FormValue("remove") != "" {
		err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
			if err := sellerhook.Remove(ctx, tx); err != nil {
				return err
			}
			return tx.Audit(ctx, "alerts.webhook", ip, map[string]any{"webhook": "removed"})
		})
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, alertSettingsPath+"?done=webhook-removed")
	}
	raw := c.FormValue("webhook_url")
	if _, err := sellerhook.ValidateURL(raw, s.opts.SellerWebhooksAllowPrivate); err != nil {
		return s.renderAlertSettings(c, http.StatusUnprocessableEntity, alertSettingsView{typedWebhookURL: raw, Errors: formErrors{
			Form: "The webhook was not saved.", Fields: map[string]string{"webhook_url": sentence(err.Error())}}}, nil)
	}
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		h, err := sellerhook.Set(ctx, tx, raw, s.opts.SellerWebhooksAllowPrivate)
		if err != nil {
			return err
		}
		// The host only: a webhook's path is often its credential (Slack's are).
		u, _ := url.Parse(h.URL)
		return tx.Audit(ctx, "alerts.webhook", ip, map[string]any{"webhook": "set", "host": u.Host})
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, alertSettingsPath+"?done=webhook-saved")
}

// sentence starts s with a capital and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// rotateWebhookSecret gives the seller's webhook a new signing secret (audited).
func (s *Server) rotateWebhookSecret(c echo.Context) error {
	ctx := c.Request().Context()
	err := s.opts.Store.InTenant(ctx, sessionOf(c).UserID, func(tx *store.Tx) error {
		if _, err := sellerhook.RotateSecret(ctx, tx); err != nil {
			return err
		}
		return tx.Audit(ctx, "alerts.webhook", account.IPHint(c.RealIP()), map[string]any{"webhook": "secret rotated"})
	})
	if errors.Is(err, sellerhook.ErrNotSet) {
		return s.renderAlertSettings(c, http.StatusConflict, alertSettingsView{Errors: formErrors{
			Form: "There is no webhook to rotate the secret of: save one first."}}, nil)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, alertSettingsPath+"?done=webhook-rotated")
}

// webhookTestRule allows one test delivery per seller a minute: each one makes Profitline call the seller's URL.
var webhookTestRule = ratelimit.Rule{Name: "webhook-test", Limit: 1, Per: time.Minute}

// testWebhook queues a test delivery to the seller's webhook, through the same job as an alert's.
func (s *Server) testWebhook(c echo.Context) error {
	ctx := c.Request().Context()
	userID := sessionOf(c).UserID
	if s.opts.Limiter != nil {
		d, err := s.opts.Limiter.Allow(ctx, webhookTestRule, strconv.FormatInt(userID, 10))
		switch {
		case err != nil:
			s.log.Warn("webhook test: rate limiter unavailable; allowing", "err", err)
		case !d.Allowed:
			secs := max(int(math.Ceil(d.RetryAfter.Seconds())), 1)
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			return s.renderAlertSettings(c, http.StatusTooManyRequests, alertSettingsView{Errors: formErrors{Form: fmt.Sprintf(
				"A test was sent less than a minute ago. You can send another in %s.", plural(secs, "second"))}}, nil)
		}
	}
	err := s.opts.Store.InTenant(ctx, userID, func(tx *store.Tx) error {
		return sellerhook.EnqueueTest(ctx, tx, s.opts.Jobs, s.opts.Clock.Now())
	})
	if errors.Is(err, sellerhook.ErrNotSet) {
		return s.renderAlertSettings(c, http.StatusConflict, alertSettingsView{Errors: formErrors{
			Form: "There is no webhook to test: save one first."}}, nil)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, alertSettingsPath+"?done=webhook-test")
}
