package main

import (
	"context"
	"fmt"
	"os"
	"strings"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the web app and run the job workers, or either alone: serve [-web | -workers] (configured from the environment; see README)", serveCmd},
		{"dev", "bring up a local database and Redis, migrate, and serve (what `make run` does)", devCmd},
		{"migrate", "apply database migrations as the owner role: migrate [up|status]", migrateCmd},
		{"rollups", "recompute the profit rows from the synced rows: rollups rebuild [-user ID]", rollupsCmd},
		{"keys", "manage the data key ring: keys generate [--id N] | keys rotate", keysCmd},
		{"tiktok", "operator tools: tiktok sign | tiktok webhook-sign (run without arguments for usage)", tiktokCmd},
		{"sandbox", "serve the TikTok sandbox with the demo shops alone: sandbox [--addr 127.0.0.1:9090]", sandboxCmd},
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage()
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:])
		}
	}
	usage()
	return fmt.Errorf("unknown command %q", args[0])
}

func usage() {
	var b strings.Builder
	b.WriteString("usage: profitline <command> [arguments]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(os.Stderr, b.String())
}
