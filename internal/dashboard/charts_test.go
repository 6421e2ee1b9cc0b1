package dashboard_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/dashboard"
)

func TestTheDailyChartHasAColumnPerDayWithItsFiguresOnHover(t *testing.T) {
	r, err := dashboard.Resolve("custom", "2026-03-01", "2026-03-10", time.Now(), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	points := []dashboard.Point{
		{Day: dashboard.Date(2026, 3, 2), NetSales: 120_00, NetProfit: 30_00, Orders: 3},
		{Day: dashboard.Date(2026, 3, 5), NetSales: 40_00, NetProfit: -15_50, Orders: 1},
	}
	c := dashboard.DailyChart(r, points, "USD")
	if n := strings.Count(c.SVG, `<rect class="chart-hit"`); n != 10 {
		t.Errorf("%d hover columns; want one per day (10)", n)
	}
	if n := strings.Count(c.Table, "<tr><th scope=\"row\">"); n != 10 {
		t.Errorf("%d table rows; want one per day (10)", n)
	}
	for _, want := range []string{`role="img"`, `aria-labelledby="daily-chart-title daily-chart-desc"`,
		"<title>Mon 2 Mar 2026\nNet sales $120.00\nCosts $90.00\nNet profit $30.00\n3 orders</title>",
		"Net profit -$15.50", "chart-zero", "the most profitable day was 2 Mar ($30.00)", "Net sales $160.00 in all"} {
		if !strings.Contains(c.SVG, want) {
			t.Errorf("the chart lacks %q", want)
		}
	}
	if regexp.MustCompile(`NaN|Inf`).MatchString(c.SVG) {
		t.Error("the chart has coordinates that are not numbers")
	}

	// One day, and a range without sales, draw too.
	for _, rng := range [][2]string{{"2026-03-02", "2026-03-02"}, {"2026-04-01", "2026-04-30"}} {
		r, _ := dashboard.Resolve("custom", rng[0], rng[1], time.Now(), time.UTC)
		c := dashboard.DailyChart(r, points, "JPY")
		if regexp.MustCompile(`NaN|Inf`).MatchString(c.SVG) || !strings.Contains(c.SVG, "</svg>") {
			t.Errorf("%v: a broken chart", rng)
		}
	}
}

// BenchmarkDrawingAYearOfDays is what a 365-day dashboard pays for its chart on a cache miss.
func BenchmarkDrawingAYearOfDays(b *testing.B) {
	r, _ := dashboard.Resolve("custom", "2025-03-01", "2026-02-28", time.Now(), time.UTC)
	points := make([]dashboard.Point, 0, 365)
	r.Each(func(i int, d dashboard.Day) {
		points = append(points, dashboard.Point{Day: d, NetSales: int64(1000_00 + i*37), NetProfit: int64(200_00 - i*11), Orders: int64(30 + i%7)})
	})
	for b.Loop() {
		dashboard.DailyChart(r, points, "USD")
	}
}
