package syncer

// Observer hears what syncs do, for metrics. Calls are made from worker goroutines and must not block.
type Observer interface {
	// PageSynced is one page of a resource written: rows is how many records the page held, written how many
	// of them were new or changed.
	PageSynced(resource string, rows, written int)
	// SyncFailed is a sync that ended in an error of the class given (tiktok.Class names, or "internal").
	SyncFailed(resource, class string)
	// RecordMalformed is a record kept aside because it could not be read.
	RecordMalformed(resource string)
	// OrdersSetAside is orders a catch-up set aside, the profit model refused them (rollup: refusal).
	OrdersSetAside(n int)
}

type nopObserver struct{}

func (nopObserver) PageSynced(string, int, int) {}
func (nopObserver) SyncFailed(string, string)   {}
func (nopObserver) RecordMalformed(string)      {}
func (nopObserver) OrdersSetAside(int)          {}
