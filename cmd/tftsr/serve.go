package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"tftsr/ai"
	"tftsr/blob"
	"tftsr/db"
	"tftsr/domain"
	"tftsr/handlers"
	"tftsr/integrations/oidc"
	"tftsr/pdf"
)

// runServe migrates the database, makes sure the bucket and a first admin exist, and serves the
// portal until ctx is done.
func runServe(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", cfg.Addr, "address to listen on, HOST:PORT")
	noMigrate := fs.Bool("no-migrate", false, "do not apply pending migrations first")
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	if !*noMigrate {
		if err := migrateUp(ctx, cfg); err != nil {
			return fmt.Errorf("migrating: %w", err)
		}
	}
	box, auditKeys, err := openKeys(cfg, logger)
	if err != nil {
		return err
	}
	database, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer database.Close()
	database.AuditKeys = auditKeys
	store, err := blob.Open(blob.Config{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, Bucket: cfg.S3Bucket, Secure: cfg.S3Secure})
	if err != nil {
		return err
	}
	if err := store.EnsureBucket(ctx); err != nil {
		return err
	}

	settings := db.NewSettingsService(database)
	providers := domain.NewProviderService(db.NewProviderStore(database), box, ai.NewFactory(nil), settings)

	users := db.NewUserService(database)
	if err := bootstrapAdmin(ctx, users, stdout); err != nil {
		return err
	}

	sessions := scs.New()
	// The store's cleanup goroutine lives as long as the process. It is not stopped on return:
	// pgxstore creates its stop channel on that goroutine, so StopCleanup races with it (the race
	// detector flags every end-to-end test).
	sessions.Store = db.NewSessionStore(database, 30*time.Minute)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	baseURL := cfg.BaseURL
	if baseURL == "" {
		baseURL = "http://" + ln.Addr().String()
	}
	issues := domain.NewObjectCleaningIssueService(db.NewIssueService(database), store)
	issues.OnError = func(err error) { logger.Warn("removing a deleted incident's objects", slog.Any("err", err)) }
	imageStore := db.NewImageStore(database)
	images := domain.NewImageService(imageStore, store, blob.NewThumbnailer(2), domain.DefaultImageLimits)
	images.OnError = func(err error) { logger.Warn("removing a deleted image's objects", slog.Any("err", err)) }
	logStore := db.NewLogStore(database)
	logs := domain.NewLogService(logStore, store, cfg.LogLimits)
	logs.Logger = logger
	go sweepLoop(ctx, newSweeper(store, imageStore, logStore), logger)
	go checkpointLoop(ctx, db.NewAuditService(database), auditCheckpointInterval, logger)
	retention := domain.NewRetentionService(db.NewRetentionStore(database), store, settings)
	go retentionLoop(ctx, retention, domain.RetentionInterval, logger)

	// One shared Chromium renders PDFs; it starts with the first export and stops with serve.
	renderer := pdf.New(pdf.Config{ChromePath: cfg.ChromePath})
	defer renderer.Close()
	docs := domain.NewDocumentService(db.NewDocumentStore(database), db.NewActionItemStore(database), issues,
		renderer, store, settings)
	chatStore := db.NewChatStore(database)
	if n, err := chatStore.AbandonStreamingReplies(ctx); err != nil {
		return err
	} else if n > 0 {
		logger.Info("replies cut off by the last stop marked incomplete", slog.Int("count", n))
	}
	chat := domain.NewChatService(providers, domain.NewRedactionGate(logStore, store), chatStore, issues)
	audit := db.NewAuditRecorder(database)
	ollama := domain.NewOllamaService(settings, ai.NewOllamaAdmin(nil), ai.NewHostProbe(), audit)
	hcfg := handlers.Config{BaseURL: baseURL, TrustedProxies: cfg.TrustedProxies, Passwords: cfg.Passwords}
	if cfg.OIDC.Issuer != "" {
		// Discovery happens at first use, so that the portal starts while the provider is down.
		provider := oidc.New(oidc.Config{
			Issuer: cfg.OIDC.Issuer, ClientID: cfg.OIDC.ClientID, ClientSecret: cfg.OIDC.ClientSecret,
			RedirectURL: cfg.RedirectURL(), Scopes: cfg.OIDC.Scopes, RoleClaim: cfg.OIDC.Roles.Claim,
			Timeout: 10 * time.Second, RetryAfter: 15 * time.Second,
		})
		hcfg.SSO = domain.NewSSOService(provider, users, cfg.OIDC.Roles)
		hcfg.SSOName = cfg.OIDC.Name
		logger.Info("single sign-on", slog.String("issuer", cfg.OIDC.Issuer), slog.String("redirect_url", cfg.RedirectURL()))
	}
	srv, err := handlers.NewServer(logger, hcfg, sessions, handlers.Services{
		Users: users, Issues: issues, Audit: db.NewAuditService(database), Settings: settings,
		Logs: logs, Images: images, Documents: docs, Providers: providers, Chat: chat, SavedViews: db.NewSavedViewStore(database),
		WhyProposals: domain.NewWhyProposalService(chatStore, issues), Ollama: ollama, Retention: retention,
	}, []handlers.Check{{Name: "database", Check: database.Ready}, {Name: "object_store", Check: store.Ready}})
	if err != nil {
		ln.Close()
		return err
	}
	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	// Long event streams end with their last event when the shutdown begins.
	httpSrv.RegisterOnShutdown(srv.BeginShutdown)
	fmt.Fprintf(stdout, "TFTSR is serving on %s\n", baseURL)

	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	// Replies still being written stop at once and are stored incomplete, with what they had,
	// before the database closes; the streams that follow them send their final event and end,
	// so that they do not hold up the shutdown of the requests still in flight.
	chatDone := make(chan error, 1)
	go func() { chatDone <- chat.Shutdown(shutdownCtx) }()
	if err := httpSrv.Shutdown(shutdownCtx); errors.Is(err, context.DeadlineExceeded) {
		logger.Warn("requests still in flight when the shutdown wait ended", slog.Duration("waited", shutdownWait))
	} else if err != nil {
		return err
	}
	if err := <-chatDone; err != nil {
		logger.Warn("replies still being written at shutdown", slog.Any("err", err))
	}
	return nil
}

// shutdownWait bounds how long serve waits, once told to stop, for the requests in flight.
const shutdownWait = 10 * time.Second

// bootstrapAdmin creates the first admin when the portal has no enabled admin, and prints its
// user name and password once.
func bootstrapAdmin(ctx context.Context, users domain.UserService, stdout io.Writer) error {
	password := rand.Text()
	created, err := users.EnsureAdmin(domain.NewSystemContext(ctx, "bootstrap"), "admin", password)
	if err != nil {
		return fmt.Errorf("creating the first admin: %w", err)
	}
	if created {
		fmt.Fprintf(stdout, "\nFirst admin account created (shown only this once):\n  user name: admin\n  password:  %s\n\n", password)
	}
	return nil
}

// newSweeper returns the sweeper of the objects that rows of images and logs own: an object
// under their prefixes that no row names and that is older than an hour (no upload takes that
// long between storing its object and committing its row) is an orphan. Replicas may sweep at
// the same time: each removes only orphans, and removing one twice is no error.
func newSweeper(store domain.BlobStore, images *db.ImageStore, logs *db.LogStore) *domain.Sweeper {
	return domain.NewSweeper(store, time.Hour, map[string]domain.ObjectOwner{
		"images/": images, "thumbs/": images, "logs/": logs,
	})
}

// sweepLoop removes orphaned objects now and then until ctx ends.
func sweepLoop(ctx context.Context, s *domain.Sweeper, logger *slog.Logger) {
	t := time.NewTicker(15 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := s.Sweep(ctx)
			if err != nil && ctx.Err() == nil {
				logger.Warn("sweeping orphaned objects", slog.Any("err", err))
			} else if n > 0 {
				logger.Info("removed orphaned objects", slog.Int("count", n))
			}
		}
	}
}

// retentionLoop applies the retention settings a minute after the start and then every
// interval until ctx ends. Every replica runs it; the advisory lock in the run lets one of them
// work at a time, and what one deleted the next finds gone.
func retentionLoop(ctx context.Context, r *domain.RetentionService, interval time.Duration, logger *slog.Logger) {
	sys := domain.NewSystemContext(ctx, "retention")
	wait := time.NewTimer(time.Minute)
	defer wait.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wait.C:
		}
		res, err := r.Run(sys)
		if err != nil && ctx.Err() == nil {
			logger.Warn("applying retention", slog.Any("err", err))
		} else if res.OriginalLogsDeleted > 0 || res.IncidentsDeleted > 0 {
			logger.Info("retention deleted", slog.Int("original_logs", res.OriginalLogsDeleted), slog.Int("incidents", res.IncidentsDeleted))
		}
		wait.Reset(interval)
	}
}
