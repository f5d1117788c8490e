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
	p.GET("/history/attachments", s.handleHistoryAttachments)
	p.GET("/profile", s.handleProfile)
	p.POST("/profile/password", s.handleProfilePassword)
	p.POST("/profile/tokens", s.handleTokenCreate)
	p.POST("/profile/tokens/:id/revoke", s.handleTokenRevoke)
	p.GET("/settings", s.handleSettings)
	p.POST("/settings", s.handleSettingsUpdate)
	p.POST("/settings/ai", s.handleAIProviderSave)
	p.GET("/settings/ai/:name", s.handleAIProviderEdit)
	p.POST("/settings/ai/:name/delete", s.handleAIProviderDelete)
	p.POST("/settings/ai/:name/test", s.handleAIProviderTest)
	// The admins' Ollama section; the pull's progress streams from the API's POST, which the page
	// calls with fetch.
	p.GET("/settings/ollama", s.handleOllamaPage)
	p.POST("/settings/ollama/url", s.handleOllamaURLSave)
	p.GET("/settings/ollama/models", s.handleOllamaModelsFragment)
	p.POST("/settings/ollama/pull", s.handleOllamaPullForm)
	p.GET("/settings/ollama/delete", s.handleOllamaDeleteConfirm)
	p.POST("/settings/ollama/delete", s.handleOllamaDelete)
	p.GET("/admin/users", s.handleAdminUsers)
	p.POST("/admin/users", s.handleAdminUserCreate)
	p.POST("/admin/users/:id", s.handleAdminUserUpdate)
	p.POST("/admin/users/:id/password", s.handleAdminUserPassword)
	p.GET("/admin/audit", s.handleAdminAudit)
	// Logs and PII review (pages). Uploads stand outside the app group for their larger body limit.
	logUpload := s.logUploadMiddleware()
	e.POST("/issues/:id/logs", s.handleLogUpload, logUpload...)
	p.GET("/logs/:id", s.handleLogReview)
	p.GET("/logs/:id/original", s.handleLogOriginal)
	p.GET("/logs/:id/view", s.handleLogView)
	p.GET("/logs/:id/digest", s.handleLogDigest)
	p.GET("/logs/:id/lines", s.handleLogLines)
	p.POST("/logs/:id/spans/:span", s.handleLogSpanReview)
	p.POST("/logs/:id/review", s.handleLogReviewType)
	p.POST("/logs/:id/apply", s.handleLogApply)
	p.POST("/logs/:id/delete", s.handleLogDelete)

	// Images (pages). Uploads stand outside the app group for their larger body limit.
	upload := s.imageUploadMiddleware()
	p.GET("/images/:id", s.handleImageFile)
	p.GET("/images/:id/thumbnail", s.handleImageThumbnail)
	p.POST("/images/:id/delete", s.handleImageDelete)
	e.POST("/issues/:id/images", s.handleImageUpload, upload...)

	// Documents and action items (pages).
	p.POST("/issues/:id/documents", s.handleDocumentGenerate)
	p.GET("/documents/:id", s.handleDocumentEditor)
	p.POST("/documents/:id", s.handleDocumentSave)
	p.POST("/documents/:id/preview", s.handleDocumentPreview)
	p.POST("/documents/:id/restore", s.handleDocumentRestore)
	p.POST("/issues/:id/action-items", s.handleActionItemAdd)
	p.POST("/action-items/:id", s.handleActionItemUpdate)
	p.POST("/action-items/:id/delete", s.handleActionItemDelete)

	// Triage chat (pages). The reply's event stream is a GET outside the body limit, flushed per
	// event; the POST that starts a reply stores the message and returns the bubble that opens it.
	p.POST("/issues/:id/chat", s.handleChatSend)
	p.POST("/chat/messages/:id/stop", s.handleChatStop)
	p.POST("/chat/messages/:id/retry", s.handleChatRetry)
	e.GET("/chat/messages/:id/stream", s.handleChatStream, s.loadSession, s.csrf(), s.loadUser, s.requireUser)
	// Log analysis: the reply streams in the chat like any other. A why a reply proposes is accepted
	// into the 5-Whys with its evidence.
	p.POST("/issues/:id/analyze", s.handleAnalyze)
	p.POST("/chat/messages/:id/proposals/:n/accept", s.handleWhyProposalAccept)

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
	api.POST("/pii/scan", s.handleAPIPIIScan)
	api.GET("/logs", s.handleAPILogList)
	api.GET("/logs/:id", s.handleAPILogGet)
	api.GET("/logs/:id/content", s.handleAPILogContent)
	api.GET("/logs/:id/digest", s.handleAPILogDigest)
	api.DELETE("/logs/:id", s.handleAPILogDelete)
	api.POST("/logs/:id/pii/detect", s.handleAPILogDetect)
	api.POST("/logs/:id/redactions", s.handleAPILogRedactions)
	e.POST("/api/v1/issues/:id/logs", s.handleAPILogUpload, logUpload...)

	// Images (API).
	api.GET("/issues/:id/images", s.handleAPIImageList)
	api.GET("/images", s.handleAPIImageSearch)
	api.GET("/images/:id/data", s.handleAPIImageData)
	api.DELETE("/images/:id", s.handleAPIImageDelete)
	e.POST("/api/v1/issues/:id/images", s.handleAPIImageUpload, upload...)
	e.POST("/api/v1/issues/:id/images/paste", s.handleAPIImagePaste, upload...)

	// Documents and action items (API).
	api.POST("/issues/:id/documents", s.handleAPIDocumentCreate)
	api.GET("/issues/:id/documents", s.handleAPIDocumentList)
	api.GET("/documents/:id", s.handleAPIDocumentGet)
	api.PUT("/documents/:id", s.handleAPIDocumentUpdate)
	api.GET("/documents/:id/versions", s.handleAPIDocumentVersions)
	api.GET("/documents/:id/export", s.handleAPIDocumentExport)
	api.GET("/issues/:id/action-items", s.handleAPIActionItemList)
	api.POST("/issues/:id/action-items", s.handleAPIActionItemCreate)
	api.PATCH("/action-items/:id", s.handleAPIActionItemUpdate)
	api.DELETE("/action-items/:id", s.handleAPIActionItemDelete)

	// AI provider configs (API).
	api.GET("/ai/providers", s.handleAPIAIProviders)
	api.GET("/ai/configs", s.handleAPIAIConfigList)
	api.GET("/ai/configs/:name", s.handleAPIAIConfigGet)
	api.PUT("/ai/configs/:name", s.handleAPIAIConfigPut)
	api.DELETE("/ai/configs/:name", s.handleAPIAIConfigDelete)
	api.POST("/ai/configs/:name/test", s.handleAPIAIConfigTest)

	// Triage chat (API).
	api.POST("/issues/:id/chat", s.handleAPIChat)
	api.POST("/chat/messages/:id/retry", s.handleAPIChatRetry)
	api.POST("/issues/:id/analyze", s.handleAPIAnalyze)
	api.POST("/chat/messages/:id/proposals/:n/accept", s.handleAPIWhyProposalAccept)
	api.GET("/logs/:id/lines", s.handleAPILogLines)

	// Ollama and hardware (admins).
	api.GET("/ollama/status", s.handleAPIOllamaStatus)
	api.GET("/ollama/install-guide", s.handleAPIOllamaInstallGuide)
	api.GET("/ollama/models", s.handleAPIOllamaModels)
	api.POST("/ollama/models/pull", s.handleAPIOllamaPull)
	api.DELETE("/ollama/models/*", s.handleAPIOllamaDelete)
	api.GET("/system/hardware", s.handleAPIHardware)
	api.GET("/system/model-recommendations", s.handleAPIModelRecommendations)
	api.Any("/*", s.handleAPINotFound)
}
