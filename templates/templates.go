// Package templates embeds the HTML templates: layout.html and one file per page under pages/.
package templates

import "embed"

// FS holds the templates.
//
//go:embed layout.html pages/*.html
var FS embed.FS
