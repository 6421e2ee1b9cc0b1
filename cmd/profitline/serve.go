package main

import (
	"context"
	"errors"

	"github.com/profitline/profitline/internal/app"
	"github.com/profitline/profitline/internal/config"
)

func serveCmd(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return errors.New("serve takes no arguments; it is configured from the environment")
	}
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	return app.Serve(ctx, cfg, app.NewLogger(cfg), nil)
}
