package domain_test

import (
	"bytes"
	"strings"
	"testing"

	"tftsr/domain"
)

// newTestProviders returns a provider service over store whose keys are sealed with a fixed
// test key, with models for tests and the default settings.
func newTestProviders(t testing.TB, store domain.ProviderStore, models domain.ChatModelFactory) *domain.ProviderService {
	t.Helper()
	box, err := domain.NewSecretBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return domain.NewProviderService(store, box, models, &fakeSettings{st: domain.DefaultSettings()})
}

// TestConstructorsRefuseMissingPorts: a constructor given nil names the port it lacks, so a
// wiring mistake stops the start with a clear message.
func TestConstructorsRefuseMissingPorts(t *testing.T) {
	cases := map[string]struct {
		build func()
		want  string
	}{
		"gate":      {func() { domain.NewRedactionGate(nil, newRecBlobs()) }, "NewRedactionGate: logs is nil"},
		"logs":      {func() { domain.NewLogService(newMemLogs("i1"), nil, domain.LogLimits{}) }, "NewLogService: blobs is nil"},
		"ollama":    {func() { domain.NewOllamaService(&fakeSettings{}, nil, fakeProbe{}, &fakeAudit{}) }, "NewOllamaService: client is nil"},
		"providers": {func() { domain.NewProviderService(&chatProviders{}, nil, &fakeModel{}, &fakeSettings{}) }, "NewProviderService: box is nil"},
		"chat": {func() {
			domain.NewChatService(newTestProviders(t, &chatProviders{}, &fakeModel{}), nil, &chatStore{}, &chatIssues{})
		}, "NewChatService: gate is nil"},
		"typed nil": {func() {
			var store *chatStore
			domain.NewChatService(newTestProviders(t, &chatProviders{}, &fakeModel{}),
				domain.NewRedactionGate(newMemLogs("i1"), newRecBlobs()), store, &chatIssues{})
		}, "NewChatService: store is nil"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, tc.want) {
					t.Fatalf("panic %v, want one saying %q", r, tc.want)
				}
			}()
			tc.build()
		})
	}
}
