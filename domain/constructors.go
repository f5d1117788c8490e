package domain

import (
	"fmt"
	"reflect"
	"time"
)

// The constructors below are the one way to build the domain's services: each takes the ports
// its service needs and panics, naming the missing one, when it is given nil. The composition
// root (cmd/tftsr) calls them before the portal serves, so a missing dependency stops the start
// instead of surfacing as a request that fails later. Optional settings (a clock, an error
// hook, a spool folder) stay exported fields with documented defaults.

// requirePorts panics when one of the named ports is nil, as a nil interface or a nil pointer.
func requirePorts(constructor string, ports ...any) {
	for i := 0; i+1 < len(ports); i += 2 {
		name, v := ports[i].(string), ports[i+1]
		if isNil(v) {
			panic(fmt.Sprintf("domain.%s: %s is nil", constructor, name))
		}
	}
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Interface, reflect.Slice, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// NewRedactionGate returns the gate that reads logs from their rows and objects.
func NewRedactionGate(logs LogStore, blobs BlobStore) *RedactionGate {
	requirePorts("NewRedactionGate", "logs", logs, "blobs", blobs)
	return &RedactionGate{logs: logs, blobs: blobs}
}

// NewProviderService returns the AI provider configs' service. box seals the API keys; models
// makes the chat models that Test calls; settings gives the team's Ollama URL.
func NewProviderService(store ProviderStore, box *SecretBox, models ChatModelFactory, settings SettingsService) *ProviderService {
	requirePorts("NewProviderService", "store", store, "box", box, "models", models, "settings", settings)
	return &ProviderService{store: store, box: box, models: models, settings: settings}
}

// NewChatService returns the triage chat. It asks the models of providers for replies, and
// every byte it sends passes gate.
func NewChatService(providers *ProviderService, gate *RedactionGate, store ChatStore, issues IssueService) *ChatService {
	requirePorts("NewChatService", "providers", providers, "gate", gate, "store", store, "issues", issues)
	return &ChatService{providers: providers, models: providers.models, gate: gate, store: store, issues: issues}
}

// NewOllamaService returns the admins' Ollama service.
func NewOllamaService(settings SettingsService, client OllamaClient, hardware HardwareProbe, audit AuditRecorder) *OllamaService {
	requirePorts("NewOllamaService", "settings", settings, "client", client, "hardware", hardware, "audit", audit)
	return &OllamaService{settings: settings, client: client, hardware: hardware, audit: audit}
}

// NewLogService returns the log use cases with the given limits (zero fields take the
// defaults).
func NewLogService(store LogStore, blobs BlobStore, limits LogLimits) *LogService {
	requirePorts("NewLogService", "store", store, "blobs", blobs)
	return &LogService{store: store, blobs: blobs, Limits: limits}
}

// NewImageService returns the image use cases with the given limits.
func NewImageService(store ImageStore, blobs BlobStore, thumbs Thumbnailer, limits ImageLimits) *ImageService {
	requirePorts("NewImageService", "store", store, "blobs", blobs, "thumbs", thumbs)
	return &ImageService{store: store, blobs: blobs, thumbs: thumbs, Limits: limits}
}

// NewDocumentService returns the RCA and post-mortem documents' use cases.
func NewDocumentService(store DocumentStore, actions ActionItemStore, issues IssueService, pdf PDFRenderer,
	blobs BlobStore, settings SettingsService) *DocumentService {
	requirePorts("NewDocumentService", "store", store, "actions", actions, "issues", issues, "pdf", pdf,
		"blobs", blobs, "settings", settings)
	return &DocumentService{store: store, actions: actions, issues: issues, renderer: pdf, blobs: blobs, settings: settings}
}

// NewObjectCleaningIssueService returns issues whose DeleteIssue also removes the incident's
// objects from blobs.
func NewObjectCleaningIssueService(issues IssueService, blobs BlobStore) *ObjectCleaningIssueService {
	requirePorts("NewObjectCleaningIssueService", "issues", issues, "blobs", blobs)
	return &ObjectCleaningIssueService{IssueService: issues, blobs: blobs}
}

// NewSweeper returns a sweeper of the objects under the prefixes of owners that are older than
// minAge.
func NewSweeper(blobs BlobStore, minAge time.Duration, owners map[string]ObjectOwner) *Sweeper {
	requirePorts("NewSweeper", "blobs", blobs)
	for prefix, o := range owners {
		requirePorts("NewSweeper", "owner of "+prefix, o)
	}
	return &Sweeper{blobs: blobs, minAge: minAge, owners: owners}
}

// NewWhyProposalService returns the service that accepts proposed why answers through issues.
func NewWhyProposalService(messages ChatMessageFinder, issues IssueService) *WhyProposalService {
	requirePorts("NewWhyProposalService", "messages", messages, "issues", issues)
	return &WhyProposalService{messages: messages, issues: issues}
}

// NewRetentionService returns the service that applies the retention settings.
func NewRetentionService(store RetentionStore, blobs BlobStore, settings SettingsService) *RetentionService {
	requirePorts("NewRetentionService", "store", store, "blobs", blobs, "settings", settings)
	return &RetentionService{store: store, blobs: blobs, settings: settings}
}
