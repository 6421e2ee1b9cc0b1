package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/tiktok"
	"github.com/profitline/profitline/internal/tiktok/sandbox"
)

// tiktokCmd holds the operator tools for debugging signatures with TikTok support. They call the same code the app
// signs with.
func tiktokCmd(_ context.Context, args []string) error {
	switch sub := firstOr(args, ""); sub {
	case "sign":
		return tiktokSign(args[1:])
	case "webhook-sign":
		return tiktokWebhookSign(args[1:])
	default:
		return errors.New("tiktok: want `tiktok sign --secret S --path P [--query 'k=v&k2=v2'] [--body S | --body-file F]` " +
			"or `tiktok webhook-sign --app-key K --secret S [--body S | --body-file F]`")
	}
}

func tiktokSign(args []string) error {
	fs := flag.NewFlagSet("tiktok sign", flag.ContinueOnError)
	secret := fs.String("secret", "", "the app secret")
	path := fs.String("path", "", "the request path, e.g. /authorization/202309/shops")
	query := fs.String("query", "", "the query string as sent, e.g. 'app_key=29a39d&timestamp=1623812664'")
	body, bodyFile := bodyFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *secret == "" || *path == "" {
		return errors.New("tiktok sign: --secret and --path are required")
	}
	q, err := url.ParseQuery(*query)
	if err != nil {
		return fmt.Errorf("tiktok sign: --query: %w", err)
	}
	b, err := readBody(*body, *bodyFile)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, tiktok.Sign(*secret, *path, q, b))
	return nil
}

func tiktokWebhookSign(args []string) error {
	fs := flag.NewFlagSet("tiktok webhook-sign", flag.ContinueOnError)
	appKey := fs.String("app-key", "", "the app key")
	secret := fs.String("secret", "", "the app secret (or TIKTOK_WEBHOOK_SECRET)")
	body, bodyFile := bodyFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *appKey == "" || *secret == "" {
		return errors.New("tiktok webhook-sign: --app-key and --secret are required")
	}
	b, err := readBody(*body, *bodyFile)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, tiktok.WebhookSignature(*appKey, *secret, b))
	return nil
}

func bodyFlags(fs *flag.FlagSet) (body, file *string) {
	return fs.String("body", "", "the exact body bytes, as a string"), fs.String("body-file", "", "a file holding the exact body bytes")
}

func readBody(body, file string) ([]byte, error) {
	switch {
	case body != "" && file != "":
		return nil, errors.New("give --body or --body-file, not both")
	case file != "":
		return os.ReadFile(file)
	case body != "":
		return []byte(body), nil
	}
	return nil, nil
}

// sandboxCmd serves the TikTok sandbox with the demo shops on its own, for exploring the API or pointing another
// app instance at it.
func sandboxCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9090", "where to listen")
	redirect := fs.String("redirect-url", "http://localhost:8080/oauth/tiktok/callback", "the app's OAuth redirect URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := sandbox.Demo(clock.System{})
	cfg.RedirectURL = *redirect
	sb, err := sandbox.New(cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: *addr, Handler: sb.Handler(), ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(os.Stdout, "TikTok sandbox on http://%s\n  TIKTOK_API_BASE=http://%[1]s TIKTOK_AUTH_BASE=http://%[1]s TIKTOK_AUTHORIZE_URL=http://%[1]s/open/authorize\n"+
		"  TIKTOK_APP_KEY=%s TIKTOK_SERVICE_ID=%s TIKTOK_APP_SECRET=%s\n", *addr, cfg.AppKey, cfg.ServiceID, cfg.AppSecret)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return srv.Close()
	}
}
