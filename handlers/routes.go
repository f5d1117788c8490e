package handlers

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"tftsr/static"
)

// routes registers every route of the portal. Static assets and health checks come first, outside
// sessions and CSRF.
func (s *Server) routes() {
	e := s.echo
	e.GET("/static/*", echo.WrapHandler(static.Handler()))
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)

	app := e.Group("", middleware.BodyLimit(s.cfg.BodyLimit), s.loadSession, s.csrf(), s.loadUser)

	// Public pages.
	app.GET("/login", s.handleLoginPage)
	app.POST("/login", s.handleLogin)
	app.POST("/logout", s.handleLogout)

	// Pages for signed-in users.
	p := app.Group("", s.requireUser)
	p.GET("/", s.handleDashboard)
	p.GET("/issues", s.handleIssueList)
	p.GET("/issues/new", s.handleIssueNew)
	p.POST("/issues", s.handleIssueCreate)
	p.GET("/issues/:id", s.handleIssueView)
	p.GET("/issues/:id/edit", s.handleIssueEdit)
	p.POST("/issues/:id", s.handleIssueUpdate)
	p.POST("/issues/:id/status", s.handleIssueStatus)
	p.GET("/issues/:id/delete", s.handleIssueDeleteConfirm)
	p.POST("/issues/:id/delete", s.handleIssueDelete)
	p.POST("/issues/:id/five-whys", s.handleFiveWhyAdd)
	p.POST("/five-whys/:id", s.handleFiveWhyUpdate)
	p.POST("/issues/:id/timeline", s.handleTimelineNote)
	p.GET("/search", s.handleSearch)
	p.GET("/history", s.handleHistory)
	p.GET("/profile", s.handleProfile)
	p.POST("/profile/password", s.handleProfilePassword)
	p.POST("/profile/tokens", s.handleTokenCreate)
	p.POST("/profile/tokens/:id/revoke", s.handleTokenRevoke)
	p.GET("/settings", s.handleSettings)
	p.POST("/settings", s.handleSettingsUpdate)
	p.GET("/admin/users", s.handleAdminUsers)
	p.POST("/admin/users", s.handleAdminUserCreate)
	p.POST("/admin/users/:id", s.handleAdminUserUpdate)
	p.POST("/admin/users/:id/password", s.handleAdminUserPassword)
	p.GET("/admin/audit", s.handleAdminAudit)
	// Logs and PII review (pages).

	// Images (pages).

	// The JSON API, with a bearer token or a session plus the CSRF header.
	api := app.Group("/api/v1", s.requireUser)
	api.GET("/me", s.handleAPIMe)
	api.POST("/issues", s.handleAPIIssueCreate)
	api.GET("/issues", s.handleAPIIssueList)
	api.GET("/issues/search", s.handleAPIIssueSearch)
	api.GET("/issues/:id", s.handleAPIIssueGet)
	api.PATCH("/issues/:id", s.handleAPIIssueUpdate)
	api.DELETE("/issues/:id", s.handleAPIIssueDelete)
	api.POST("/issues/:id/five-whys", s.handleAPIFiveWhyAdd)
	api.PATCH("/five-whys/:id", s.handleAPIFiveWhyUpdate)
	api.GET("/issues/:id/timeline", s.handleAPITimelineList)
	api.POST("/issues/:id/timeline", s.handleAPITimelineAdd)
	api.GET("/audit", s.handleAPIAudit)
	api.GET("/settings", s.handleAPISettingsGet)
	api.PATCH("/settings", s.handleAPISettingsUpdate)
	// Logs and PII (API).

	// Images (API).
	api.Any("/*", s.handleAPINotFound)
}
