package returns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profitline/profitline/internal/mail"
	"github.com/profitline/profitline/internal/money"
	"github.com/profitline/profitline/internal/rollup"
	"github.com/profitline/profitline/internal/sellerhook"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// Mail kinds (templates in internal/mail/templates); KindDeadlineAlert is also the kind of an alert's webhook
// delivery.
const (
	KindDeadlineAlert = "return-deadline"
	KindDigest        = "return-digest"
)

// Reasons a step is cancelled or skipped, as stored.
const (
	reasonSettings   = "settings changed"
	reasonMoved      = "deadline moved"
	reasonHandled    = "return handled or shop disconnected"
	reasonNoChannel  = "alert emails turned off and no webhook"
	reasonSuperseded = "a later step was due too"
	reasonPassed     = "the deadline passed"
	reasonUnverified = "the seller's address is not confirmed"
)

// purposeEmail is the sealing purpose internal/account stores the seller's address under.
const purposeEmail vault.Purpose = "users.email"

// LoadSettings reads the seller's alert settings; DefaultSettings when they never saved any.
func LoadSettings(ctx context.Context, tx *store.Tx) (Settings, error) {
	row, err := tx.Q.GetAlertSettings(ctx, tx.UserID)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("returns: read alert settings: %w", err)
	}
	s := Settings{QuietStart: time.Duration(row.QuietStart) * time.Minute, QuietEnd: time.Duration(row.QuietEnd) * time.Minute,
		Email: row.Email, Digest: row.Digest}
	for _, m := range row.StepsMinutes {
		s.Steps = append(s.Steps, time.Duration(m)*time.Minute)
	}
	return s, nil
}

// SaveSettings validates and stores the seller's settings, and cancels every pending step: the next evaluation
// plans again with the new ladder (a step the new ladder keeps comes back; none already sent is sent again).
func SaveSettings(ctx context.Context, tx *store.Tx, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	steps := make([]int32, len(s.Steps))
	for i, d := range s.Steps {
		steps[i] = int32(d / time.Minute)
	}
	err := tx.Q.SaveAlertSettings(ctx, tenantdb.SaveAlertSettingsParams{UserID: tx.UserID, StepsMinutes: steps,
		QuietStart: int32(s.QuietStart / time.Minute), QuietEnd: int32(s.QuietEnd / time.Minute), Email: s.Email,
		Digest: s.Digest, UpdatedAt: tx.Now()})
	if err != nil {
		return fmt.Errorf("returns: save alert settings: %w", err)
	}
	if _, err := tx.Q.CancelPendingAlerts(ctx, tenantdb.CancelPendingAlertsParams{Reason: reasonSettings, Now: tx.Now(), UserID: tx.UserID}); err != nil {
		return fmt.Errorf("returns: cancel pending alerts: %w", err)
	}
	return nil
}

// Links builds the links an alert carries.
type Links interface {
	// ReturnsPage is the seller's /returns page.
	ReturnsPage() string
	// Settings is tx's seller's signed one-click link to their alert settings.
	Settings(ctx context.Context, tx *store.Tx, now time.Time) (string, error)
}

// Report says what one evaluation did.
type Report struct {
	Planned, Cancelled, Sent, Skipped int
	Digest                            bool
}

// key names one deadline of one return.
type key struct {
	shop, ret string
	at        int64 // unix seconds
}

// Evaluate brings tx's seller's alerts up to date at now: cancels the pending steps of deadlines that moved or of
// returns handled (or of shops disconnected), plans the steps of every open deadline while alert emails are on or
// the seller has a webhook, and sends each step due as one email through the outbox (alert emails on, address
// confirmed) and one delivery to the seller's webhook (if they have one), marking it sent in this transaction. Run
// it in a transaction of its own: a second evaluation of the seller waits until it commits (then finds the steps
// sent), and the steps it sends stay locked until then anyway. q inserts the mail and webhook jobs.
func Evaluate(ctx context.Context, tx *store.Tx, q mail.Inserter, links Links, now time.Time) (Report, error) {
	var rep Report
	if err := tx.Q.LockAlertEvaluation(ctx, tx.UserID); err != nil {
		return rep, fmt.Errorf("returns: wait for another evaluation: %w", err)
	}
	s, err := LoadSettings(ctx, tx)
	if err != nil {
		return rep, err
	}
	hook, err := sellerhook.Configured(ctx, tx)
	if err != nil {
		return rep, err
	}
	zone, err := rollup.TimeZone(ctx, tx)
	if err != nil {
		return rep, err
	}
	open, err := tx.Q.OpenReturnDeadlines(ctx, tx.UserID)
	if err != nil {
		return rep, fmt.Errorf("returns: open deadlines: %w", err)
	}
	byKey := make(map[key]*tenantdb.OpenReturnDeadlinesRow, len(open))
	openReturn := map[[2]string]bool{}
	for i := range open {
		o := &open[i]
		byKey[key{o.ShopID, o.ReturnID, o.Deadline.Unix()}] = o
		openReturn[[2]string{o.ShopID, o.ReturnID}] = true
	}
	steps, err := tx.Q.AlertSteps(ctx, tenantdb.AlertStepsParams{UserID: tx.UserID, Since: now.Add(-30 * 24 * time.Hour)})
	if err != nil {
		return rep, fmt.Errorf("returns: alert steps: %w", err)
	}

	// Cancel what no longer applies.
	cancel := map[string]*tenantdb.CancelAlertDeadlinesParams{}
	lastSent := map[key]time.Time{}
	for _, st := range steps {
		k := key{st.ShopID, st.ReturnID, st.Deadline.Unix()}
		if st.State == "sent" && st.DoneAt != nil && st.DoneAt.After(lastSent[k]) {
			lastSent[k] = *st.DoneAt
		}
		if st.State != "pending" {
			continue
		}
		reason := ""
		switch {
		case byKey[k] != nil && !s.Email && !hook:
			reason = reasonNoChannel
		case byKey[k] != nil:
			continue
		case openReturn[[2]string{st.ShopID, st.ReturnID}]:
			reason = reasonMoved
		default:
			reason = reasonHandled
		}
		c := cancel[reason]
		if c == nil {
			c = &tenantdb.CancelAlertDeadlinesParams{Reason: reason, Now: now, UserID: tx.UserID}
			cancel[reason] = c
		}
		c.ShopIds, c.ReturnIds, c.Deadlines = append(c.ShopIds, st.ShopID), append(c.ReturnIds, st.ReturnID), append(c.Deadlines, st.Deadline)
	}
	for _, c := range cancel {
		n, err := tx.Q.CancelAlertDeadlines(ctx, *c)
		if err != nil {
			return rep, fmt.Errorf("returns: cancel alerts (%s): %w", c.Reason, err)
		}
		rep.Cancelled += int(n)
	}

	// Plan every open deadline (what is planned already stays as it is).
	if s.Email || hook {
		p := tenantdb.PlanAlertStepsParams{UserID: tx.UserID, Now: now}
		for _, o := range open {
			d := Deadline{ShopID: o.ShopID, ReturnID: o.ReturnID, Action: ActionOf(o.NextActions, o.Deadline), At: o.Deadline}
			for _, st := range Plan(s, d, now, lastSent[key{o.ShopID, o.ReturnID, o.Deadline.Unix()}], zone) {
				p.ShopIds, p.ReturnIds, p.Deadlines = append(p.ShopIds, d.ShopID), append(p.ReturnIds, d.ReturnID), append(p.Deadlines, d.At)
				p.BeforeMinutes, p.Actions = append(p.BeforeMinutes, int32(st.Before/time.Minute)), append(p.Actions, d.Action)
				p.DueAts, p.DedupeKeys = append(p.DueAts, st.Due), append(p.DedupeKeys, DedupeKey(d, st.Before))
			}
		}
		if len(p.ShopIds) > 0 {
			n, err := tx.Q.PlanAlertSteps(ctx, p)
			if err != nil {
				return rep, fmt.Errorf("returns: plan alerts: %w", err)
			}
			rep.Planned = int(n)
		}
	}

	// Send what is due: per deadline only its latest step (the others say the same, earlier).
	due, err := tx.Q.DueAlertSteps(ctx, tenantdb.DueAlertStepsParams{UserID: tx.UserID, Now: now})
	if err != nil {
		return rep, fmt.Errorf("returns: due alerts: %w", err)
	}
	var to string
	looked := false
	for i, st := range due {
		k := key{st.ShopID, st.ReturnID, st.Deadline.Unix()}
		o := byKey[k]
		state, reason := "sent", ""
		switch {
		case !st.Deadline.After(now):
			state, reason = "skipped", reasonPassed
		case i+1 < len(due) && (key{due[i+1].ShopID, due[i+1].ReturnID, due[i+1].Deadline.Unix()}) == k:
			state, reason = "skipped", reasonSuperseded
		case o == nil: // cancelled above; not locked by this transaction's read
			continue
		}
		if state == "sent" && s.Email && !looked {
			if to, err = recipient(ctx, tx); err != nil {
				return rep, err
			}
			looked = true
		}
		email := s.Email && to != ""
		if state == "sent" && !email && !hook {
			state, reason = "skipped", reasonUnverified
		}
		if state == "sent" {
			data := alertOf(o, st, time.Duration(st.BeforeMinutes)*time.Minute <= s.Steps[len(s.Steps)-1], now, zone, links)
			if email {
				if err := sendAlert(ctx, tx, q, links, to, data, st.DedupeKey, now); err != nil {
					return rep, err
				}
			}
			if hook {
				if err := sellerhook.Enqueue(ctx, tx, q, KindDeadlineAlert, st.DedupeKey, alertHook(data, o, st, now)); err != nil {
					return rep, fmt.Errorf("returns: enqueue alert webhook %s: %w", st.DedupeKey, err)
				}
			}
		}
		n, err := tx.Q.FinishAlertStep(ctx, tenantdb.FinishAlertStepParams{State: state, Reason: reason, Now: now,
			UserID: tx.UserID, ShopID: st.ShopID, ReturnID: st.ReturnID, Deadline: st.Deadline, BeforeMinutes: st.BeforeMinutes})
		if err != nil {
			return rep, fmt.Errorf("returns: finish alert %s: %w", st.DedupeKey, err)
		}
		if n == 1 && state == "sent" {
			rep.Sent++
		} else if n == 1 {
			rep.Skipped++
		}
	}

	if s.Digest && s.Email {
		sent, err := digest(ctx, tx, q, links, s, open, now, zone)
		if err != nil {
			return rep, err
		}
		rep.Digest = sent
	}
	return rep, nil
}

// recipient is the seller's address, or "" when it is not confirmed.
func recipient(ctx context.Context, tx *store.Tx) (string, error) {
	r, err := tx.Q.AlertRecipient(ctx, tx.UserID)
	if err != nil {
		return "", fmt.Errorf("returns: read the seller's address: %w", err)
	}
	if !r.Verified {
		return "", nil
	}
	addr, err := tx.Open(ctx, purposeEmail, "", r.EmailSealed)
	if err != nil {
		return "", fmt.Errorf("returns: open the seller's address: %w", err)
	}
	return string(addr), nil
}

// NextAction is one thing TikTok expects of the seller on a return.
type NextAction struct {
	Action   string `json:"action"`
	Deadline int64  `json:"deadline"` // unix seconds
}

// ActionOf is the action whose deadline is at (the first one otherwise), from a returns row's next_actions.
func ActionOf(nextActions []byte, at time.Time) string {
	var acts []NextAction
	_ = json.Unmarshal(nextActions, &acts) // written by the syncer; an unreadable list only loses the action's name
	for _, a := range acts {
		if a.Deadline == at.Unix() {
			return a.Action
		}
	}
	if len(acts) > 0 {
		return acts[0].Action
	}
	return ""
}

// ActionText is what TikTok expects, in the seller's words.
func ActionText(action string) string {
	switch action {
	case "SELLER_RESPOND_REFUND":
		return "Respond to the refund request"
	case "SELLER_RESPOND_RETURN":
		return "Respond to the return request"
	case "SELLER_RESPOND_RECEIVE_PACKAGE":
		return "Confirm receipt of the returned parcel"
	case "SELLER_RESPOND_REPLACEMENT":
		return "Respond to the replacement request"
	case "":
		return "Respond"
	}
	return strings.ReplaceAll(strings.ToLower(action), "_", " ")
}

// SellerCenterURL is the return's page in TikTok Seller Center, where the seller acts (Profitline stays read-only).
// The host follows the shop's region; the path is UNCONFIRMED (no public reference documents it), so it is built
// here and nowhere else.
func SellerCenterURL(region, returnID string) string {
	host := "https://seller.tiktokglobalshop.com"
	switch strings.ToUpper(region) {
	case "US":
		host = "https://seller-us.tiktok.com"
	case "GB", "UK":
		host = "https://seller-uk.tiktok.com"
	}
	return host + "/order/return/detail?" + url.Values{"return_id": {returnID}}.Encode()
}

// TimeLeft writes a duration the way an alert says it: "3 d 4 h", "5 h 20 min", "12 min".
func TimeLeft(d time.Duration) string {
	if d <= 0 {
		return "no time"
	}
	d = d.Truncate(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case hours > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	}
	return fmt.Sprintf("%d min", max(mins, 1))
}

// DeadlineMail is the data of a KindDeadlineAlert mail. It holds nothing about the buyer.
type DeadlineMail struct {
	ShopName, OrderID, ReturnID string
	SKUs                        string
	Refund                      string
	Action                      string
	Deadline                    string // in the seller's zone
	TimeLeft                    string
	Final                       bool // the ladder's last step
	SellerCenterURL             string
	ReturnsURL                  string
	SettingsURL                 string
}

// alertOf is what an alert step says, on every channel; SettingsURL is the email's alone.
func alertOf(o *tenantdb.OpenReturnDeadlinesRow, st tenantdb.DueAlertStepsRow, final bool, now time.Time, zone *time.Location, links Links) DeadlineMail {
	data := DeadlineMail{ShopName: o.ShopName, OrderID: o.OrderID, ReturnID: o.ReturnID, SKUs: strings.Join(o.Skus, ", "),
		Refund: refundText(o.RefundTotal, o.Currency), Action: ActionText(st.Action),
		Deadline: o.Deadline.In(zone).Format("Mon 2 Jan 15:04 MST"), TimeLeft: TimeLeft(o.Deadline.Sub(now)),
		Final: final, SellerCenterURL: SellerCenterURL(o.Region, o.ReturnID), ReturnsURL: links.ReturnsPage()}
	if data.SKUs == "" {
		data.SKUs = "–"
	}
	return data
}

func sendAlert(ctx context.Context, tx *store.Tx, q mail.Inserter, links Links, to string, data DeadlineMail, dedupeKey string, now time.Time) error {
	var err error
	if data.SettingsURL, err = links.Settings(ctx, tx, now); err != nil {
		return err
	}
	m, err := mail.Render(KindDeadlineAlert, to, data)
	if err != nil {
		return err
	}
	if err := mail.Enqueue(ctx, tx, q, KindDeadlineAlert, dedupeKey, m); err != nil {
		return fmt.Errorf("returns: enqueue alert %s: %w", dedupeKey, err)
	}
	return nil
}

func refundText(minor int64, currency string) string {
	a, err := money.New(minor, currency)
	if err != nil {
		return fmt.Sprintf("%d %s", minor, currency)
	}
	return a.Format()
}

// DigestMail is the data of a KindDigest mail.
type DigestMail struct {
	Day         string
	Returns     []DeadlineMail
	ReturnsURL  string
	SettingsURL string
}

// digestWindow is how far ahead the daily digest looks.
const digestWindow = 48 * time.Hour

// digest sends the day's digest once (its dedupe key is the seller's date), between DigestHour and four hours
// later in the seller's zone and outside quiet hours, when anything is due within digestWindow.
func digest(ctx context.Context, tx *store.Tx, q mail.Inserter, links Links, s Settings, open []tenantdb.OpenReturnDeadlinesRow,
	now time.Time, zone *time.Location) (bool, error) {
	local := now.In(zone)
	if _, quiet := QuietUntil(s, now, zone); quiet || local.Hour() < DigestHour || local.Hour() >= DigestHour+4 {
		return false, nil
	}
	d := DigestMail{Day: local.Format("Mon 2 Jan 2006"), ReturnsURL: links.ReturnsPage()}
	for _, o := range open {
		if o.Deadline.After(now) && o.Deadline.Sub(now) <= digestWindow {
			d.Returns = append(d.Returns, DeadlineMail{ShopName: o.ShopName, OrderID: o.OrderID, ReturnID: o.ReturnID,
				SKUs: strings.Join(o.Skus, ", "), Refund: refundText(o.RefundTotal, o.Currency),
				Action: ActionText(ActionOf(o.NextActions, o.Deadline)), Deadline: o.Deadline.In(zone).Format("Mon 2 Jan 15:04 MST"),
				TimeLeft: TimeLeft(o.Deadline.Sub(now)), SellerCenterURL: SellerCenterURL(o.Region, o.ReturnID)})
		}
	}
	if len(d.Returns) == 0 {
		return false, nil
	}
	to, err := recipient(ctx, tx)
	if err != nil || to == "" {
		return false, err
	}
	if d.SettingsURL, err = links.Settings(ctx, tx, now); err != nil {
		return false, err
	}
	m, err := mail.Render(KindDigest, to, d)
	if err != nil {
		return false, err
	}
	if err := mail.Enqueue(ctx, tx, q, KindDigest, "return-digest/"+local.Format("2006-01-02"), m); err != nil {
		return false, fmt.Errorf("returns: enqueue digest: %w", err)
	}
	return true, nil
}
