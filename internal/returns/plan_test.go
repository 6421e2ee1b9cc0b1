package returns

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/mail"
)

// at is a time in UTC on 2026-12-10 (a Thursday): at(14, 30) is 14:30.
func at(h, m int) time.Time { return time.Date(2026, 12, 10, h, m, 0, 0, time.UTC) }

func TestPlanLaysOutTheLadder(t *testing.T) {
	noQuiet := DefaultSettings()
	noQuiet.QuietStart, noQuiet.QuietEnd = 0, 0
	quiet := DefaultSettings() // 22:00 to 07:00
	deadline := at(20, 0).Add(24 * time.Hour)
	type want struct {
		before time.Duration
		due    time.Time
	}
	tests := []struct {
		name     string
		s        Settings
		deadline time.Time
		now      time.Time
		lastSent time.Time
		zone     *time.Location
		want     []want
	}{
		{
			name: "a return seen early gets every step at its time", s: noQuiet, deadline: deadline, now: at(10, 0),
			want: []want{{24 * time.Hour, at(20, 0)}, {12 * time.Hour, at(20, 0).Add(12 * time.Hour)},
				{4 * time.Hour, deadline.Add(-4 * time.Hour)}, {time.Hour, deadline.Add(-time.Hour)}},
		},
		{
			name: "a return first seen after two steps passed gets one step now, then the rest", s: noQuiet,
			deadline: deadline, now: deadline.Add(-10 * time.Hour),
			want: []want{{12 * time.Hour, deadline.Add(-10 * time.Hour)}, {4 * time.Hour, deadline.Add(-4 * time.Hour)},
				{time.Hour, deadline.Add(-time.Hour)}},
		},
		{
			name: "a re-plan after an alert already covered the passed steps sends nothing now", s: noQuiet,
			deadline: deadline, now: deadline.Add(-10 * time.Hour), lastSent: deadline.Add(-11 * time.Hour),
			want: []want{{4 * time.Hour, deadline.Add(-4 * time.Hour)}, {time.Hour, deadline.Add(-time.Hour)}},
		},
		{
			name: "a deadline already past plans nothing", s: noQuiet, deadline: at(9, 0), now: at(10, 0),
		},
		{
			// Deadline 06:30 on the 12th: 24 h (06:30 on the 11th, quiet: held to 07:00), 12 h (18:30), 4 h (02:30,
			// quiet until 07:00, after the 1 h step: dropped), 1 h (05:30, quiet, but the last step always fires).
			name: "quiet hours hold every step but the last", s: quiet, deadline: time.Date(2026, 12, 12, 6, 30, 0, 0, time.UTC),
			now: at(10, 0),
			want: []want{{24 * time.Hour, time.Date(2026, 12, 11, 7, 0, 0, 0, time.UTC)},
				{12 * time.Hour, time.Date(2026, 12, 11, 18, 30, 0, 0, time.UTC)},
				{time.Hour, time.Date(2026, 12, 12, 5, 30, 0, 0, time.UTC)}},
		},
		{
			// Deadline 15:00 on the 11th: 24 h is 15:00 on the 10th; 12 h is 03:00, quiet: held to 07:00, before
			// the 4 h step at 11:00.
			name: "a step in quiet hours waits for their end", s: quiet, deadline: time.Date(2026, 12, 11, 15, 0, 0, 0, time.UTC),
			now: at(10, 0),
			want: []want{{24 * time.Hour, at(15, 0)}, {12 * time.Hour, time.Date(2026, 12, 11, 7, 0, 0, 0, time.UTC)},
				{4 * time.Hour, time.Date(2026, 12, 11, 11, 0, 0, 0, time.UTC)},
				{time.Hour, time.Date(2026, 12, 11, 14, 0, 0, 0, time.UTC)}},
		},
		{
			// The same deadline for a seller in New York (UTC-5): 03:00 UTC is 22:00 there, quiet until 07:00
			// local, 12:00 UTC, after the 4 h step at 11:00 UTC: dropped.
			name: "quiet hours are the seller's", s: quiet, deadline: time.Date(2026, 12, 11, 15, 0, 0, 0, time.UTC),
			now: at(10, 0), zone: mustZone(t, "America/New_York"),
			want: []want{{24 * time.Hour, at(15, 0)}, {4 * time.Hour, time.Date(2026, 12, 11, 12, 0, 0, 0, time.UTC)},
				{time.Hour, time.Date(2026, 12, 11, 14, 0, 0, 0, time.UTC)}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			zone := tc.zone
			if zone == nil {
				zone = time.UTC
			}
			got := Plan(tc.s, Deadline{ShopID: "s", ReturnID: "r", At: tc.deadline}, tc.now, tc.lastSent, zone)
			var g []want
			for _, st := range got {
				g = append(g, want{st.Before, st.Due})
			}
			if !slices.Equal(g, tc.want) {
				t.Errorf("Plan =\n%v\nwant\n%v", g, tc.want)
			}
		})
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestQuietHoursWrapMidnightOrNot(t *testing.T) {
	overnight := Settings{QuietStart: 22 * time.Hour, QuietEnd: 7 * time.Hour}
	early := Settings{QuietStart: time.Hour, QuietEnd: 6 * time.Hour}
	tests := []struct {
		s       Settings
		t       time.Time
		quiet   bool
		endsAt  time.Time
		comment string
	}{
		{overnight, at(23, 0), true, time.Date(2026, 12, 11, 7, 0, 0, 0, time.UTC), "before midnight: ends the next morning"},
		{overnight, at(3, 0), true, at(7, 0), "after midnight: ends this morning"},
		{overnight, at(7, 0), false, time.Time{}, "the end is not quiet"},
		{overnight, at(12, 0), false, time.Time{}, "midday"},
		{early, at(2, 0), true, at(6, 0), "within one day"},
		{early, at(23, 0), false, time.Time{}, "outside a same-day window"},
		{Settings{}, at(3, 0), false, time.Time{}, "none"},
	}
	for _, tc := range tests {
		end, quiet := QuietUntil(tc.s, tc.t, time.UTC)
		if quiet != tc.quiet || !end.Equal(tc.endsAt) {
			t.Errorf("%s: QuietUntil(%v) = %v, %v; want %v, %v", tc.comment, tc.t, end, quiet, tc.endsAt, tc.quiet)
		}
	}
}

func TestSettingsValidateOrdersTheLadder(t *testing.T) {
	s := Settings{Steps: []time.Duration{time.Hour, 24 * time.Hour, time.Hour, 4 * time.Hour}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if want := []time.Duration{24 * time.Hour, 4 * time.Hour, time.Hour}; !slices.Equal(s.Steps, want) {
		t.Errorf("steps %v; want %v", s.Steps, want)
	}
	for _, bad := range []Settings{
		{},
		{Steps: []time.Duration{30 * time.Second}},
		{Steps: []time.Duration{15 * 24 * time.Hour}},
		{Steps: []time.Duration{time.Hour}, QuietStart: 24 * time.Hour},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v validated", bad)
		}
	}
}

func TestDedupeKeyIsOnePerReturnDeadlineAndStep(t *testing.T) {
	d := Deadline{ShopID: "7001", ReturnID: "4035", At: time.Unix(1_800_000_000, 0)}
	if got := DedupeKey(d, 4*time.Hour); got != "return-alert/7001/4035/1800000000/240" {
		t.Errorf("DedupeKey = %q", got)
	}
	moved := d
	moved.At = d.At.Add(time.Hour)
	if DedupeKey(d, time.Hour) == DedupeKey(moved, time.Hour) || DedupeKey(d, time.Hour) == DedupeKey(d, 4*time.Hour) {
		t.Error("two steps share a key")
	}
}

func TestTimeLeftReadsLikeAClock(t *testing.T) {
	for d, want := range map[time.Duration]string{
		50 * time.Hour:                   "2 d 2 h",
		5*time.Hour + 20*time.Minute + 9: "5 h 20 min",
		12 * time.Minute:                 "12 min",
		10 * time.Second:                 "1 min",
		-time.Minute:                     "no time",
	} {
		if got := TimeLeft(d); got != want {
			t.Errorf("TimeLeft(%v) = %q; want %q", d, got, want)
		}
	}
}

func TestTheCostOfApprovingCountsWhatDoesNotComeBack(t *testing.T) {
	tests := []struct {
		typ  string
		want ApprovalCost
	}{
		// A refund only: the goods stay with the buyer.
		{"REFUND", ApprovalCost{Refund: 2000, GoodsLost: 700, FeesKept: 40, ReturnLabel: 0, Total: 2740}},
		// The goods come back, with their cost.
		{"RETURN_AND_REFUND", ApprovalCost{Refund: 2000, GoodsLost: 0, FeesKept: 40, ReturnLabel: 0, Total: 2040}},
	}
	for _, tc := range tests {
		// Refund 21.60 of which 1.60 tax; subtotal 20.00; unit cost 7.00; refund administration fee 2%.
		if got := CostOfApproving(tc.typ, 2160, 160, 2000, 700, 0, 200); got != tc.want {
			t.Errorf("%s: %+v; want %+v", tc.typ, got, tc.want)
		}
	}
	if got := CostOfApproving("RETURN_AND_REFUND", 1000, 0, 1000, 500, 450, 0); got.Total != 1450 {
		t.Errorf("a seller-paid return label is part of the cost: %+v", got)
	}
}

func TestAnAlertMailSaysWhatIsDueByWhenInItsSubject(t *testing.T) {
	d := DeadlineMail{ShopName: "Glow US", OrderID: "576000111", ReturnID: "4035", SKUs: "TEE-BLK-M", Refund: "$21.60",
		Action: ActionText("SELLER_RESPOND_REFUND"), Deadline: "Thu 10 Dec 20:00 UTC", TimeLeft: "3 h 59 min", Final: true,
		SellerCenterURL: SellerCenterURL("US", "4035"), ReturnsURL: "https://app.example.com/returns",
		SettingsURL: "https://app.example.com/alerts/one-click?t=7.abc"}
	m, err := mail.Render(KindDeadlineAlert, "seller@example.com", d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{d.Deadline, d.OrderID, d.SKUs, d.Refund, d.TimeLeft, "Last call"} {
		if !strings.Contains(m.Subject, want) {
			t.Errorf("the subject %q does not say %q", m.Subject, want)
		}
	}
	for _, body := range []string{m.Text, m.HTML} {
		for _, want := range []string{"https://seller-us.tiktok.com/order/return/detail?return_id=4035", "https://app.example.com/returns",
			"https://app.example.com/alerts/one-click?t=7.abc", "Respond to the refund request"} {
			if !strings.Contains(body, want) {
				t.Errorf("a body does not hold %q", want)
			}
		}
	}
	dg, err := mail.Render(KindDigest, "seller@example.com", DigestMail{Day: "Thu 10 Dec 2026", Returns: []DeadlineMail{d, d},
		ReturnsURL: d.ReturnsURL, SettingsURL: d.SettingsURL})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dg.Subject, "2 returns due in the next 48 hours") || strings.Count(dg.Text, d.OrderID) != 2 {
		t.Errorf("digest: %q\n%s", dg.Subject, dg.Text)
	}
}
