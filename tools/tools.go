//go:build tools

// Package tools pins the versions of the developer tools the Makefile runs, in a module of their own so that their
// large dependency trees stay out of the application's go.mod.
package tools

import (
	_ "github.com/sqlc-dev/sqlc/cmd/sqlc"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
