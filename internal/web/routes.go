package web

import (
	"fmt"

	"github.com/labstack/echo/v4/middleware"

	"github.com/profitline/profitline/internal/costs"
)

// routes is the whole route table, in one place.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/static/:file", s.assets.serve)

	e.GET("/", s.landing)

	if s.opts.Accounts != nil {
		s.accountRoutes()
	}

	if s.opts.Webhooks != nil {
		e.POST("/webhooks/tiktok", s.tiktokWebhook)
	}

	if s.opts.DevMail != nil {
		e.GET("/dev/mail", s.devMail)
	}
}

// accountRoutes are the sign-up, sign-in and settings pages.
func (s *Server) accountRoutes() {
	e := s.echo
	e.GET("/signup", s.signupForm)
	e.POST("/signup", s.signup)
	e.GET("/login", s.loginForm)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
	e.GET("/verify-email", s.confirmEmailForm)
	e.POST("/verify-email", s.confirmEmail)
	e.GET("/forgot-password", s.forgotForm)
	e.POST("/forgot-password", s.forgot)
	e.GET("/reset-password", s.resetForm)
	e.POST("/reset-password", s.reset)

	in := e.Group("", signedIn)
	s.dashboardRoutes(in)
	s.orderRoutes(in)
	s.returnRoutes(in)
	s.cashflowRoutes(in)
	in.POST("/verify-email/resend", s.resendConfirmation)
	in.GET("/reauth", s.reauthForm)
	in.POST("/reauth", s.reauth)
	in.GET("/settings/security", s.security)
	in.POST("/settings/security/sessions/revoke", s.settingsAction(s.revokeSession, "session"))
	in.POST("/settings/security/sign-out-everywhere", s.signOutEverywhere)
	sensitive := in.Group("", s.recentlyAuthenticated)
	sensitive.POST("/settings/security/password", s.settingsAction(s.changePassword, "password"))
	sensitive.POST("/settings/security/email", s.settingsAction(s.changeEmail, "email"))

	if s.opts.Connect != nil {
		in.GET("/settings/shops", s.shopsPage)
		in.GET("/settings/shops/sync-status", s.syncStatus)
		if s.opts.Syncs != nil {
			in.POST("/settings/shops/sync", s.syncNow)
		}
		in.POST("/connect/tiktok", s.connectStart)
		in.GET("/oauth/tiktok/callback", s.connectCallback)
		sensitive.POST("/settings/shops/disconnect", s.disconnect)
	}

	in.GET("/settings/costs", s.costsPage)
	in.POST("/settings/costs", s.setCost)
	in.POST("/settings/costs/fallback", s.setCostFallback)
	// The file may be as large as costs allows, plus the multipart envelope; costs.Import says so in words when
	// it is over, so this limit only stops what is far larger.
	in.POST(costsImportPath, s.importCosts, middleware.BodyLimit(fmt.Sprintf("%dK", (costs.MaxImportBytes+64<<10)>>10)))
	in.GET("/settings/costs/export.csv", s.exportCosts)
}
