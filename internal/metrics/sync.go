package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Sync counts what syncs do, by resource. It has the method set of syncer.Observer (this package does not import
// syncer; a test asserts the match), and its methods only add to counters, so they never block a worker.
type Sync struct {
	pages     *prometheus.CounterVec
	rows      *prometheus.CounterVec
	written   *prometheus.CounterVec
	errors    *prometheus.CounterVec
	malformed *prometheus.CounterVec
	setAside  *prometheus.CounterVec
}

func newSync() *Sync {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "profitline", Subsystem: "sync", Name: name, Help: help}, labels)
	}
	return &Sync{
		pages:     counter("pages_total", "Pages of TikTok records written, by resource.", "resource"),
		rows:      counter("rows_total", "Records read from TikTok in written pages, by resource.", "resource"),
		written:   counter("rows_written_total", "Rows inserted or changed by syncs (unchanged records are not counted), by resource.", "resource"),
		errors:    counter("errors_total", "Syncs that ended in an error, by resource and error class (TikTok's classes, or internal).", "resource", "class"),
		malformed: counter("malformed_records_total", "Records kept aside because they could not be read, by resource.", "resource"),
		setAside: counter("profit_orders_set_aside_total", "Orders whose profit the model refused, set aside by catch-ups "+
			"(an order refused again counts again)."),
	}
}

// PageSynced counts one page: rows records read, written of them new or changed.
func (s *Sync) PageSynced(resource string, rows, written int) {
	s.pages.WithLabelValues(resource).Inc()
	s.rows.WithLabelValues(resource).Add(float64(rows))
	s.written.WithLabelValues(resource).Add(float64(written))
}

// SyncFailed counts a sync that ended in an error of the class given.
func (s *Sync) SyncFailed(resource, class string) {
	s.errors.WithLabelValues(resource, class).Inc()
}

// RecordMalformed counts a record kept aside because it could not be read.
func (s *Sync) RecordMalformed(resource string) {
	s.malformed.WithLabelValues(resource).Inc()
}

// OrdersSetAside counts orders a catch-up set aside, the profit model refused them.
func (s *Sync) OrdersSetAside(n int) {
	s.setAside.WithLabelValues().Add(float64(n))
}

// Describe implements prometheus.Collector.
func (s *Sync) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range s.all() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (s *Sync) Collect(ch chan<- prometheus.Metric) {
	for _, c := range s.all() {
		c.Collect(ch)
	}
}

func (s *Sync) all() []*prometheus.CounterVec {
	return []*prometheus.CounterVec{s.pages, s.rows, s.written, s.errors, s.malformed, s.setAside}
}
