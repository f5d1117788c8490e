// Package handlers is the portal's HTTP layer: the Echo server, its middleware, the route table,
// the pages (templ + htmx) and the JSON API. It sees only domain interfaces.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"tftsr/domain"
)

// Context and session keys.
const (
	csrfContextKey   = "csrf"
	sessionLoadedKey = "tftsr.session_loaded"
	sessionUserKey   = "user_id"
	sessionAuthAtKey = "auth_at"
	csrfSessionKey   = "csrf_token"
	flashKey         = "flash"
)

// Config is what the server needs to know about where it runs.
type Config struct {
	// BaseURL is the portal's public origin, e.g. https://tftsr.example.com. An https origin
	// makes cookies Secure.
	BaseURL string
	// BodyLimit bounds request bodies other than uploads, e.g. "1M".
	BodyLimit string
	// TrustedProxies are the proxies whose X-Forwarded-For names the client. Without any, the
	// client is the connection's peer and the header is ignored, so that nobody can choose the
	// address that sign-in throttling and the audit log see.
	TrustedProxies []*net.IPNet
	// SSO, when set, offers single sign-on through an OpenID Connect provider at
	// /auth/oidc/login, which comes back to /auth/oidc/callback.
	SSO *domain.SSOService
	// SSOName names the provider on the sign-in button; empty is "single sign-on".
	SSOName string
	// Passwords says who may sign in with a password; the zero value lets everyone.
	Passwords domain.PasswordPolicy
}

// Check is a named readiness check of a dependency.
type Check struct {
	Name  string
	Check func(context.Context) error
}

// Services are the domain services the portal serves. Every one is required: NewServer
// refuses a Services with a nil field, so that a missing dependency stops the start.
type Services struct {
	Users        domain.UserService
	Issues       domain.IssueService
	Audit        domain.AuditService
	Settings     domain.SettingsService
	Logs         *domain.LogService
	Images       *domain.ImageService
	Documents    *domain.DocumentService
	Providers    *domain.ProviderService
	Chat         *domain.ChatService
	WhyProposals *domain.WhyProposalService
	Ollama       *domain.OllamaService
	SavedViews   domain.SavedViewStore
	Retention    *domain.RetentionService
}

// missing returns the names of the services that are nil.
func (svc Services) missing() []string {
	var names []string
	v := reflect.ValueOf(svc)
	for i := range v.NumField() {
		if f := v.Field(i); f.IsNil() {
			names = append(names, v.Type().Field(i).Name)
		}
	}
	return names
}

// Server is the portal's HTTP server.
type Server struct {
	echo         *echo.Echo
	logger       *slog.Logger
	cfg          Config
	users        domain.UserService
	issues       domain.IssueService
	audit        domain.AuditService
	settings     domain.SettingsService
	sessions     *scs.SessionManager
	checks       []Check
	images       *domain.ImageService
	logs         *domain.LogService
	docs         *domain.DocumentService
	ai           *domain.ProviderService
	chat         *domain.ChatService
	whyProposals *domain.WhyProposalService
	ollama       *domain.OllamaService
	savedViews   domain.SavedViewStore
	retention    *domain.RetentionService
	// routeChains names the middleware chain of each route; see routes.
	routeChains map[string]string
	// stopping is closed by BeginShutdown: long streams then end with a last event.
	stopping chan struct{}
	stopOnce sync.Once
}

// BeginShutdown tells the server that it is being shut down: event streams that would go on for
// long (an Ollama model pull) send their final event and end, so that they do not hold up the
// shutdown of the requests in flight. Register it with http.Server.RegisterOnShutdown.
func (s *Server) BeginShutdown() { s.stopOnce.Do(func() { close(s.stopping) }) }

// errShuttingDown is the cause of a stream's context ended by BeginShutdown.
var errShuttingDown = errors.New("the portal is shutting down")

// untilShutdown returns ctx, ended also by BeginShutdown (with errShuttingDown as its cause).
func (s *Server) untilShutdown(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-s.stopping:
			cancel(errShuttingDown)
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// NewServer builds the server and its routes over svc, every field of which must be set.
// sessions must already have its store set; checks are the readiness checks of /readyz.
func NewServer(logger *slog.Logger, cfg Config, sessions *scs.SessionManager, svc Services, checks []Check) (*Server, error) {
	if names := svc.missing(); len(names) > 0 {
		return nil, fmt.Errorf("handlers: the portal needs these services: %s", strings.Join(names, ", "))
	}
	if logger == nil || sessions == nil || sessions.Store == nil {
		return nil, errors.New("handlers: the portal needs a logger and a session manager with its store")
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "1M"
	}
	sessions.Cookie.Name = "tftsr_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Secure = strings.HasPrefix(cfg.BaseURL, "https://")
	sessions.Lifetime = 7 * 24 * time.Hour
	sessions.IdleTimeout = 12 * time.Hour

	s := &Server{
		echo: echo.New(), logger: logger, cfg: cfg, sessions: sessions, checks: checks,
		users: svc.Users, issues: svc.Issues, audit: svc.Audit, settings: svc.Settings, logs: svc.Logs,
		images: svc.Images, docs: svc.Documents, ai: svc.Providers, chat: svc.Chat,
		whyProposals: svc.WhyProposals, ollama: svc.Ollama, savedViews: svc.SavedViews, retention: svc.Retention, stopping: make(chan struct{}),
	}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		s.echo.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	s.echo.Use(middleware.Recover())
	s.echo.Use(middleware.RequestID())
	s.echo.Use(s.requestLogger())
	s.echo.Use(sanitiseQuery)
	s.echo.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: contentSecurityPolicy,
	}))
	if strings.HasPrefix(cfg.BaseURL, "https://") {
		// The portal is only ever reached over TLS (often terminated by a proxy in front, so the
		// request itself may be plain): browsers are told to keep it that way for a year.
		s.echo.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				c.Response().Header().Set(echo.HeaderStrictTransportSecurity, "max-age=31536000; includeSubDomains")
				return next(c)
			}
		})
	}
	s.routes()
	return s, nil
}

// contentSecurityPolicy allows only the portal's own scripts and styles: no inline script, no
// eval, no inline style.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Echo returns the underlying Echo instance, for tests.
func (s *Server) Echo() *echo.Echo { return s.echo }

func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true,
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			return strings.HasPrefix(p, "/static/") || p == "/healthz"
		},
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			s.logger.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency),
				slog.String("request_id", v.RequestID))
			return nil
		},
	})
}
