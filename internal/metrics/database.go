package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/systemdb"
)

// scrapeTimeout bounds the database reads of one scrape: a slow database costs a scrape these series, never a
// pile of waiting connections.
const scrapeTimeout = 3 * time.Second

// Database reports at each scrape what only the database knows: how far each active shop's sync lags, and how many
// jobs the queue holds by state and kind. It reads through store.System (system.sync_cursors_of_active_shops and
// system.job_counts), which return shop ids, times and counts only.
type Database struct {
	st    *store.Store
	clock clock.Clock
	lag   *prometheus.Desc
	jobs  *prometheus.Desc
}

// NewDatabase returns the collector; register it with Registry.Register. The lag is measured with clk, the clock
// that wrote the cursors.
func NewDatabase(st *store.Store, clk clock.Clock) *Database {
	return &Database{
		st:    st,
		clock: clk,
		lag: prometheus.NewDesc("profitline_sync_lag_seconds",
			"Seconds since the time an active shop's resource is synced up to (its oldest cursor, if two sellers connected the shop).",
			[]string{"shop_id", "resource"}, nil),
		jobs: prometheus.NewDesc("profitline_jobs",
			"Jobs in the queue by state and kind (River keeps finished jobs for a day).",
			[]string{"state", "kind"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (d *Database) Describe(ch chan<- *prometheus.Desc) {
	ch <- d.lag
	ch <- d.jobs
}

// Collect implements prometheus.Collector. On a database error both series are reported invalid, which the
// handler logs while serving every other series.
func (d *Database) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	var cursors []systemdb.SyncCursorsOfActiveShopsRow
	var jobs []systemdb.JobCountsRow
	err := d.st.System(ctx, func(q *systemdb.Queries) error {
		var err error
		if cursors, err = q.SyncCursorsOfActiveShops(ctx); err != nil {
			return err
		}
		jobs, err = q.JobCounts(ctx)
		return err
	})
	if err != nil {
		ch <- prometheus.NewInvalidMetric(d.lag, err)
		ch <- prometheus.NewInvalidMetric(d.jobs, err)
		return
	}
	now := d.clock.Now()
	for _, c := range cursors {
		ch <- prometheus.MustNewConstMetric(d.lag, prometheus.GaugeValue, now.Sub(c.SyncedTo).Seconds(), c.ShopID, c.Resource)
	}
	for _, j := range jobs {
		ch <- prometheus.MustNewConstMetric(d.jobs, prometheus.GaugeValue, float64(j.Jobs), j.State, j.Kind)
	}
}
