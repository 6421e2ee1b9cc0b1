package mail

import "io/fs"

// SetAfterSend makes w run hook after the provider accepted a mail and before the row is marked sent, so a test can
// fail there as a crash would. Call it before the client starts.
func (w *SendWorker) SetAfterSend(hook func() error) { w.afterSend = hook }

// ParseTemplates exposes template loading so a test can feed it broken sets.
func ParseTemplates(fsys fs.FS) error {
	_, err := parseTemplates(fsys)
	return err
}
