package handlers

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"tftsr/domain"
	"tftsr/static"
	"tftsr/views"
)

// chain is a named middleware chain: a route added through it runs the chain's middleware, in
// order, before its handler. Unlike echo.Group.Use it registers no catch-all routes, so two
// chains can share a prefix and the not-found routes are the ones routes() names.
type chain struct {
	s      *Server
	name   string
	prefix string
	mw     []echo.MiddlewareFunc
}

// then returns the chain called name that runs c's middleware and then mw, for routes under
// c's prefix plus prefix.
func (c chain) then(name, prefix string, mw ...echo.MiddlewareFunc) chain {
	return chain{s: c.s, name: name, prefix: c.prefix + prefix, mw: append(append([]echo.MiddlewareFunc{}, c.mw...), mw...)}
}

// add registers a route through the chain and records which chain it is in. A route of one
// incident (/issues/:id…) takes the incident's human id (INC-1234) as well as its uuid.
func (c chain) add(method, path string, h echo.HandlerFunc) {
	mw := c.mw
	if full := c.prefix + path; strings.HasPrefix(full, "/issues/:id") || strings.HasPrefix(full, "/api/v1/issues/:id") {
		mw = append(slices.Clone(mw), c.s.resolveIssueRef)
	}
	c.s.echo.Add(method, c.prefix+path, h, mw...)
	c.s.routeChains[method+" "+c.prefix+path] = c.name
}

func (c chain) GET(path string, h echo.HandlerFunc)    { c.add(http.MethodGet, path, h) }
func (c chain) POST(path string, h echo.HandlerFunc)   { c.add(http.MethodPost, path, h) }
func (c chain) PUT(path string, h echo.HandlerFunc)    { c.add(http.MethodPut, path, h) }
func (c chain) PATCH(path string, h echo.HandlerFunc)  { c.add(http.MethodPatch, path, h) }
func (c chain) DELETE(path string, h echo.HandlerFunc) { c.add(http.MethodDelete, path, h) }

// RouteChains maps each route ("GET /issues/:id") to the name of the middleware chain that
// protects it, as routes() documents them; tests hold the chains to what they promise.
func (s *Server) RouteChains() map[string]string { return maps.Clone(s.routeChains) }

// requireAdmin refuses everyone but admins. The services check the role again: this only says
// in the route table which routes are the admins'.
func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := domain.Require(c.Request().Context(), domain.RoleAdmin); err != nil {
			return err
		}
		return next(c)
	}
}

// resolveIssueRef replaces an incident's human id (INC-1234) in the route's :id by its uuid,
// so that every handler below sees the one id. An unknown human id is a 404.
func (s *Server) resolveIssueRef(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ref := c.Param("id")
		if _, ok := domain.ParseIssueRef(ref); !ok {
			return next(c)
		}
		id, err := s.issues.ResolveIssueRef(c.Request().Context(), ref)
		if err != nil {
			return err
		}
		values := slices.Clone(c.ParamValues())
		for i, name := range c.ParamNames() {
			if name == "id" {
				values[i] = id
			}
		}
		c.SetParamValues(values...)
		return next(c)
	}
}

// noStore keeps what the route answers out of every cache: API JSON, and pages that show a log's
// text.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}

// routes registers every route of the portal. Each route belongs to one of these chains, which
// say how it is protected:
//
//	public     static assets and health checks: no session, no CSRF
//	signIn     the login and logout forms: 1 MB body limit, session, CSRF, user if any
//	pages      pages and their forms for a signed-in user: signIn plus requireUser
//	admin      the admins' pages: pages plus requireAdmin
//	logPages   pages that show a log's text: pages plus Cache-Control: no-store
//	logUploads, imageUploads
//	           uploads: the upload's own body limit, then as pages, but the user is required
//	           before the CSRF check, which may read the body
//	stream     reply event streams (GET): as pages without a body limit, outside gzip and timeouts
//	api        /api/v1 for a bearer token, or a session plus the CSRF header: as pages, with
//	           Cache-Control: no-store
//	apiAdmin   the admins' API: api plus requireAdmin
//	apiLogUploads, apiImageUploads
//	           the API's uploads: the upload's body limit, then as api
//
// Authorization is enforced again below the handlers, in the services and queries.
func (s *Server) routes() {
	e := s.echo
	s.routeChains = map[string]string{}
	csrf := s.csrf
	session := []echo.MiddlewareFunc{s.loadSession, csrf, s.loadUser, s.requireUser}
	// Uploads know who asks before anything reads the body: the CSRF check may parse a
	// multipart form for its token, which must not happen for a stranger's 250 MB.
	uploadSession := []echo.MiddlewareFunc{s.loadSession, s.loadUser, s.requireUser, csrf}
	root := chain{s: s}
	limit := func(n int64) echo.MiddlewareFunc { return middleware.BodyLimit(strconv.FormatInt(n, 10)) }
	pageLimit := middleware.BodyLimit(s.cfg.BodyLimit)

	public := root.then("public", "")
	signIn := root.then("signIn", "", pageLimit, s.loadSession, csrf, s.loadUser)
	pages := root.then("pages", "", append([]echo.MiddlewareFunc{pageLimit}, session...)...)
	admin := pages.then("admin", "", requireAdmin)
	logPages := pages.then("logPages", "", noStore)
	logUploads := root.then("logUploads", "", append([]echo.MiddlewareFunc{limit(s.logs.Limits.WithDefaults().MaxUploadBytes)}, uploadSession...)...)
	imageUploads := root.then("imageUploads", "", append([]echo.MiddlewareFunc{limit(s.imageUploadBodyLimit())}, uploadSession...)...)
	stream := root.then("stream", "", session...)
	api := pages.then("api", "/api/v1", noStore)
	apiAdmin := api.then("apiAdmin", "", requireAdmin)
	apiLogUploads := logUploads.then("apiLogUploads", "/api/v1", noStore)
	apiImageUploads := imageUploads.then("apiImageUploads", "/api/v1", noStore)

	public.GET("/static/*", echo.WrapHandler(static.Handler()))
	public.GET("/healthz", s.handleHealthz)
	public.GET("/readyz", s.handleReadyz)

	signIn.GET("/login", s.handleLoginPage)
	signIn.POST("/login", s.handleLogin)
	signIn.POST("/logout", s.handleLogout)
	signIn.GET("/auth/oidc/login", s.handleSSOLogin)
	signIn.GET("/auth/oidc/callback", s.handleSSOCallback)

	// Incidents, 5-Whys and the timeline.
	pages.GET("/", s.handleDashboard)
	pages.GET("/issues", s.handleIssueList)
	pages.GET("/issues/new", s.handleIssueNew)
	pages.POST("/issues", s.handleIssueCreate)
	pages.GET("/issues/:id", s.handleIssueView)
	// The incident page's tabs; the Overview is the incident's own URL. The tab bar reloads its
	// counts after a change.
	for _, t := range views.IssueTabs[1:] {
		pages.GET("/issues/:id/"+string(t), s.handleIssueTab(t))
	}
	pages.GET("/issues/:id/tabs", s.handleIssueTabs)
	pages.GET("/issues/:id/edit", s.handleIssueEdit)
	pages.POST("/issues/:id", s.handleIssueUpdate)
	pages.POST("/issues/:id/status", s.handleIssueStatus)
	pages.GET("/issues/:id/delete", s.handleIssueDeleteConfirm)
	pages.POST("/issues/:id/delete", s.handleIssueDelete)
	pages.POST("/issues/:id/five-whys", s.handleFiveWhyAdd)
	pages.POST("/five-whys/:id", s.handleFiveWhyUpdate)
	pages.POST("/issues/:id/timeline", s.handleTimelineNote)
	pages.POST("/issues/:id/times", s.handleIssueTimes)
	pages.GET("/search", s.handleSearch)
	pages.GET("/history", s.handleHistory)
	pages.GET("/history/attachments", s.handleHistoryAttachments)
	pages.POST("/saved-views", s.handleSavedViewCreate)
	pages.POST("/saved-views/:id/delete", s.handleSavedViewDelete)

	// The user's profile and the team's settings (everyone reads them; admins change them).
	pages.GET("/profile", s.handleProfile)
	pages.POST("/profile/password", s.handleProfilePassword)
	pages.POST("/profile/time-zone", s.handleProfileTimeZone)
	pages.POST("/profile/tokens", s.handleTokenCreate)
	pages.POST("/profile/tokens/:id/revoke", s.handleTokenRevoke)
	pages.GET("/settings", s.handleSettings)
	pages.GET("/ui", s.handleComponents)
	admin.POST("/settings", s.handleSettingsUpdate)
	admin.POST("/settings/retention", s.handleRetentionUpdate)
	admin.POST("/settings/retention/run", s.handleRetentionRun)
	admin.POST("/settings/ai", s.handleAIProviderSave)
	admin.GET("/settings/ai/:name", s.handleAIProviderEdit)
	admin.POST("/settings/ai/:name/delete", s.handleAIProviderDelete)
	admin.POST("/settings/ai/:name/test", s.handleAIProviderTest)
	// The admins' Ollama section; the pull's progress streams from the API's POST, which the page
	// calls with fetch.
	admin.GET("/settings/ollama", s.handleOllamaPage)
	admin.POST("/settings/ollama/url", s.handleOllamaURLSave)
	admin.GET("/settings/ollama/models", s.handleOllamaModelsFragment)
	admin.POST("/settings/ollama/pull", s.handleOllamaPullForm)
	admin.GET("/settings/ollama/delete", s.handleOllamaDeleteConfirm)
	admin.POST("/settings/ollama/delete", s.handleOllamaDelete)
	admin.GET("/admin/users", s.handleAdminUsers)
	admin.POST("/admin/users", s.handleAdminUserCreate)
	admin.GET("/admin/users/:id/role", s.handleAdminUserRoleConfirm)
	admin.POST("/admin/users/:id", s.handleAdminUserUpdate)
	admin.POST("/admin/users/:id/password", s.handleAdminUserPassword)
	admin.GET("/admin/audit", s.handleAdminAudit)
	admin.GET("/admin/audit.csv", s.handleAdminAuditCSV)

	// Logs and PII review.
	logUploads.POST("/issues/:id/logs", s.handleLogUpload)
	logPages.GET("/logs/:id", s.handleLogReview)
	logPages.GET("/logs/:id/original", s.handleLogOriginal)
	logPages.GET("/logs/:id/view", s.handleLogView)
	logPages.GET("/logs/:id/digest", s.handleLogDigest)
	logPages.GET("/logs/:id/lines", s.handleLogLines)
	pages.POST("/logs/:id/spans/:span", s.handleLogSpanReview)
	pages.POST("/logs/:id/values/:key", s.handleLogValueReview)
	pages.POST("/logs/:id/review", s.handleLogReviewType)
	pages.POST("/logs/:id/apply", s.handleLogApply)
	pages.POST("/logs/:id/delete", s.handleLogDelete)

	// Images.
	imageUploads.POST("/issues/:id/images", s.handleImageUpload)
	pages.GET("/images/:id", s.handleImageFile)
	pages.GET("/images/:id/thumbnail", s.handleImageThumbnail)
	pages.POST("/images/:id/delete", s.handleImageDelete)

	// Documents and action items.
	pages.POST("/issues/:id/documents", s.handleDocumentGenerate)
	pages.GET("/documents/:id", s.handleDocumentEditor)
	pages.POST("/documents/:id", s.handleDocumentSave)
	pages.POST("/documents/:id/preview", s.handleDocumentPreview)
	pages.POST("/documents/:id/restore", s.handleDocumentRestore)
	pages.POST("/issues/:id/action-items", s.handleActionItemAdd)
	pages.POST("/action-items/:id", s.handleActionItemUpdate)
	pages.POST("/action-items/:id/delete", s.handleActionItemDelete)

	// Triage chat. The POST that starts a reply stores the message and returns the bubble that
	// opens the reply's event stream. Log analysis streams in the chat like any other reply; a
	// why a reply proposes is accepted into the 5-Whys with its evidence.
	pages.POST("/issues/:id/chat", s.handleChatSend)
	pages.POST("/chat/messages/:id/stop", s.handleChatStop)
	pages.POST("/chat/messages/:id/retry", s.handleChatRetry)
	stream.GET("/chat/messages/:id/stream", s.handleChatStream)
	pages.POST("/issues/:id/analyze", s.handleAnalyze)
	pages.POST("/chat/messages/:id/proposals/:n/accept", s.handleWhyProposalAccept)

	// The JSON API: incidents, 5-Whys, timeline, settings and the audit log.
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
	apiAdmin.GET("/audit", s.handleAPIAudit)
	apiAdmin.GET("/admin/users", s.handleAPIAdminUsers)
	apiAdmin.PATCH("/admin/users/:id", s.handleAPIAdminUserUpdate)
	api.GET("/settings", s.handleAPISettingsGet)
	apiAdmin.PATCH("/settings", s.handleAPISettingsUpdate)

	// Logs and PII (API).
	apiLogUploads.POST("/issues/:id/logs", s.handleAPILogUpload)
	api.POST("/pii/scan", s.handleAPIPIIScan)
	api.GET("/logs", s.handleAPILogList)
	api.GET("/logs/:id", s.handleAPILogGet)
	api.GET("/logs/:id/content", s.handleAPILogContent)
	api.GET("/logs/:id/digest", s.handleAPILogDigest)
	api.GET("/logs/:id/lines", s.handleAPILogLines)
	api.DELETE("/logs/:id", s.handleAPILogDelete)
	api.POST("/logs/:id/pii/detect", s.handleAPILogDetect)
	api.POST("/logs/:id/redactions", s.handleAPILogRedactions)

	// Images (API).
	apiImageUploads.POST("/issues/:id/images", s.handleAPIImageUpload)
	apiImageUploads.POST("/issues/:id/images/paste", s.handleAPIImagePaste)
	api.GET("/issues/:id/images", s.handleAPIImageList)
	api.GET("/images", s.handleAPIImageSearch)
	api.GET("/images/:id/data", s.handleAPIImageData)
	api.DELETE("/images/:id", s.handleAPIImageDelete)

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

	// AI provider configs (API): everyone lists them to choose one; admins manage them.
	api.GET("/ai/providers", s.handleAPIAIProviders)
	api.GET("/ai/configs", s.handleAPIAIConfigList)
	apiAdmin.GET("/ai/configs/:name", s.handleAPIAIConfigGet)
	apiAdmin.PUT("/ai/configs/:name", s.handleAPIAIConfigPut)
	apiAdmin.DELETE("/ai/configs/:name", s.handleAPIAIConfigDelete)
	apiAdmin.POST("/ai/configs/:name/test", s.handleAPIAIConfigTest)

	// Triage chat (API).
	api.POST("/issues/:id/chat", s.handleAPIChat)
	api.POST("/chat/messages/:id/retry", s.handleAPIChatRetry)
	api.POST("/issues/:id/analyze", s.handleAPIAnalyze)
	api.POST("/chat/messages/:id/proposals/:n/accept", s.handleAPIWhyProposalAccept)

	// Ollama and hardware (admins).
	apiAdmin.GET("/ollama/status", s.handleAPIOllamaStatus)
	apiAdmin.GET("/ollama/install-guide", s.handleAPIOllamaInstallGuide)
	apiAdmin.GET("/ollama/models", s.handleAPIOllamaModels)
	apiAdmin.POST("/ollama/models/pull", s.handleAPIOllamaPull)
	apiAdmin.DELETE("/ollama/models/*", s.handleAPIOllamaDelete)
	apiAdmin.GET("/system/hardware", s.handleAPIHardware)
	apiAdmin.GET("/system/model-recommendations", s.handleAPIModelRecommendations)

	// What no route matches: a JSON 404 under the API, the error page elsewhere, for a signed-in
	// user (others are sent to sign in first).
	e.Any("/api/v1/*", s.handleAPINotFound, api.mw...)
	e.RouteNotFound("/*", echo.NotFoundHandler, pages.mw...)
}
