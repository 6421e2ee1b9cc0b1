// Package migrations embeds the schema migrations so the binary carries them.
package migrations

import "embed"

// FS holds the goose migration files, applied in file-name order.
//
//go:embed *.sql
var FS embed.FS
