package handlers_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/alexedwards/scs/v2"

	"tftsr/ai"
	"tftsr/blob"
	"tftsr/blob/blobtest"
	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
	"tftsr/handlers"
)

// portalOptions are what a test portal differs in. The zero value is a whole portal over a real
// database of the test's own, an in-memory object store, the real AI adapters (no provider is
// reachable until a test adds a config for its fake), a PDF renderer that returns a stub and an
// Ollama at the default URL that nothing answers.
type portalOptions struct {
	// Blobs is the object store; nil is an in-memory one.
	Blobs domain.BlobStore
	// Models makes the chat models; nil is the real adapters.
	Models      domain.ChatModelFactory
	LogLimits   domain.LogLimits
	ImageLimits domain.ImageLimits // zero: domain.DefaultImageLimits
	// PDF renders exported documents; nil is fakePDF.
	PDF domain.PDFRenderer
	// OllamaURL, when set, is the team's Ollama URL (a fake's).
	OllamaURL string
	// OnObjectError hears about objects that could not be removed; nil ignores them.
	OnObjectError func(error)
	// Users, Issues, Audit and Settings, when set, replace the database's (fakes).
	Users    domain.UserService
	Issues   domain.IssueService
	Audit    domain.AuditService
	Settings domain.SettingsService
	// Actions, when set, replaces the database's action items (for the fakes' incidents,
	// which have no row).
	Actions domain.ActionItemStore
	// Config is the server's configuration.
	Config handlers.Config
	// SSO, when set, makes the single sign-on of Config over the portal's users.
	SSO func(users domain.ExternalUsers) *domain.SSOService
}

// builtPortal is a portal made by buildPortal: its server, its database and its services.
type builtPortal struct {
	server   *handlers.Server
	srv      *httptest.Server
	db       *db.DB
	users    *db.UserService
	issues   *db.IssueService
	services handlers.Services
}

// buildPortal is the one place handler tests wire a whole portal, as cmd/tftsr does: every
// service is the real domain service over the options' ports.
func buildPortal(t testing.TB, o portalOptions) *builtPortal {
	t.Helper()
	database := dbtest.New(t)
	p := &builtPortal{db: database, users: db.NewUserService(database), issues: db.NewIssueService(database)}
	p.users.PasswordParams = db.TestPasswordParams
	blobs := o.Blobs
	if blobs == nil {
		blobs = &blobtest.Mem{}
	}
	models := o.Models
	if models == nil {
		models = ai.NewFactory(nil)
	}
	renderer := o.PDF
	if renderer == nil {
		renderer = fakePDF{}
	}
	if o.ImageLimits == (domain.ImageLimits{}) {
		o.ImageLimits = domain.DefaultImageLimits
	}
	var users domain.UserService = p.users
	if o.Users != nil {
		users = o.Users
	}
	var baseIssues domain.IssueService = p.issues
	if o.Issues != nil {
		baseIssues = o.Issues
	}
	var audit domain.AuditService = db.NewAuditService(database)
	if o.Audit != nil {
		audit = o.Audit
	}
	var settings domain.SettingsService = db.NewSettingsService(database)
	if o.Settings != nil {
		settings = o.Settings
	}
	if o.OllamaURL != "" {
		if _, err := settings.UpdateSettings(domain.NewSystemContext(t.Context(), "test"),
			domain.SettingsUpdate{OllamaURL: &o.OllamaURL}); err != nil {
			t.Fatal(err)
		}
	}

	var actions domain.ActionItemStore = db.NewActionItemStore(database)
	if o.Actions != nil {
		actions = o.Actions
	}

	box, err := domain.NewSecretBox(bytes.Repeat([]byte{9}, domain.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	issues := domain.NewObjectCleaningIssueService(baseIssues, blobs)
	issues.OnError = o.OnObjectError
	logStore := db.NewLogStore(database)
	logs := domain.NewLogService(logStore, blobs, o.LogLimits)
	logs.TempDir = t.TempDir()
	images := domain.NewImageService(db.NewImageStore(database), blobs, blob.NewThumbnailer(2), o.ImageLimits)
	images.OnError = o.OnObjectError
	providers := domain.NewProviderService(db.NewProviderStore(database), box, models, settings)
	chatStore := db.NewChatStore(database)
	p.services = handlers.Services{
		Users: users, Issues: issues, Audit: audit, Settings: settings, Logs: logs, Images: images,
		Documents: domain.NewDocumentService(db.NewDocumentStore(database), actions,
			issues, renderer, blobs, settings),
		Providers:    providers,
		Chat:         domain.NewChatService(providers, domain.NewRedactionGate(logStore, blobs), chatStore, issues),
		WhyProposals: domain.NewWhyProposalService(chatStore, issues),
		Ollama:       domain.NewOllamaService(settings, ai.NewOllamaAdmin(nil), testHardware, db.NewAuditRecorder(database)),
		SavedViews:   db.NewSavedViewStore(database),
		Retention:    domain.NewRetentionService(db.NewRetentionStore(database), blobs, settings),
	}
	if o.SSO != nil {
		o.Config.SSO = o.SSO(p.users)
	}
	srv, err := handlers.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), o.Config, scs.New(), p.services, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.server, p.srv = srv, httptest.NewServer(srv)
	t.Cleanup(p.srv.Close)
	return p
}

// testHardware is the host the portal's tests run on, as far as Ollama's advice goes.
var testHardware = fixedProbe{domain.Hardware{CPUModel: "Test CPU", CPUCores: 4, CPUThreads: 8, Arch: "x86_64", OS: "linux",
	TotalRAMBytes: 16 << 30, GPUs: []domain.GPU{{Vendor: "NVIDIA", Name: "Tesla T4", VRAMBytes: 15 << 30}}}}

// portal returns the testPortal view of p: its server and the database's users and incidents.
func (p *builtPortal) portal() *testPortal {
	return &testPortal{srv: p.srv, users: p.users, issues: p.issues}
}

// TestNewServerRefusesMissingServices: a portal without one of its services does not start,
// and the error names what is missing.
func TestNewServerRefusesMissingServices(t *testing.T) {
	p := buildPortal(t, portalOptions{})
	svc := p.services
	svc.Chat, svc.Ollama = nil, nil
	_, err := handlers.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), handlers.Config{}, scs.New(), svc, nil)
	if err == nil || err.Error() != "handlers: the portal needs these services: Chat, Ollama" {
		t.Fatalf("NewServer without chat and Ollama: %v", err)
	}
}
