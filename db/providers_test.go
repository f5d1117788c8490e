package db_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"tftsr/db"
	"tftsr/domain"
)

// providerTestKey is the API key the provider tests store; it must never appear in plaintext.
const providerTestKey = "sk-live-PROVIDERTESTKEY-0123456789"

func newProviderService(t *testing.T, s *services) *domain.ProviderService {
	t.Helper()
	return newProviderServiceKey(t, s, 42)
}

// newProviderServiceKey is newProviderService with its master key made of the byte key.
func newProviderServiceKey(t *testing.T, s *services, key byte) *domain.ProviderService {
	t.Helper()
	box, err := domain.NewSecretBox(bytes.Repeat([]byte{key}, domain.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return domain.NewProviderService(db.NewProviderStore(s.DB), box, noModels{}, db.NewSettingsService(s.DB))
}

// noModels is the model factory of tests that store configs and never call a provider.
type noModels struct{}

func (noModels) ChatModel(domain.ProviderConfig) (domain.ChatModel, error) {
	return nil, domain.Errorf(domain.EUNAVAILABLE, "no provider is called in these tests")
}

func TestProviderStore(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	svc := newProviderService(t, s)
	admin, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	bg := context.Background()

	t.Run("Create", func(t *testing.T) {
		cfg, created, err := svc.PutProviderConfig(adminCtx, domain.ProviderInput{
			Name: "claude", Kind: domain.ProviderAnthropic, Model: "claude-sonnet-4-5", APIKey: providerTestKey,
			Temperature: ptr(0.2),
		})
		if err != nil {
			t.Fatal(err)
		}
		if !created || !cfg.HasAPIKey || cfg.APIKey != "" || cfg.BaseURL != "https://api.anthropic.com" ||
			cfg.MaxTokens != 4096 || cfg.TimeoutSeconds != 120 || *cfg.Temperature != 0.2 || *cfg.UpdatedBy != admin.ID {
			t.Fatalf("created %+v (created=%v)", cfg, created)
		}
	})
	t.Run("KeyOnlyCiphertext", func(t *testing.T) {
		var sealed []byte
		if err := s.DB.Pool.QueryRow(bg, `SELECT api_key_encrypted FROM provider_configs WHERE name = 'claude'`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if len(sealed) == 0 || bytes.Contains(sealed, []byte(providerTestKey)) || bytes.Contains(sealed, []byte("PROVIDERTESTKEY")) {
			t.Fatalf("stored key column = %q", sealed)
		}
		var dump string
		if err := s.DB.Pool.QueryRow(bg, `SELECT string_agg(t::text, '') FROM provider_configs t`).Scan(&dump); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(dump, "PROVIDERTESTKEY") {
			t.Fatal("the provider_configs table holds the key in plaintext")
		}
	})
	t.Run("ForCallDecrypts", func(t *testing.T) {
		cfg, err := svc.ForCall(viewerCtx, "claude")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.APIKey != providerTestKey || cfg.Timeout.Seconds() != 120 {
			t.Fatalf("ForCall = key %q timeout %v", cfg.APIKey, cfg.Timeout)
		}
		got, err := svc.GetProviderConfig(adminCtx, "claude")
		if err != nil || got.APIKey != "" || !got.HasAPIKey {
			t.Fatalf("Get = %+v, %v", got, err)
		}
	})
	t.Run("UpdateKeepsKey", func(t *testing.T) {
		cfg, created, err := svc.PutProviderConfig(adminCtx, domain.ProviderInput{
			Name: "claude", Kind: domain.ProviderAnthropic, Model: "claude-opus-4", MaxTokens: 8000,
		})
		if err != nil {
			t.Fatal(err)
		}
		if created || cfg.Model != "claude-opus-4" || cfg.MaxTokens != 8000 || cfg.Temperature != nil || !cfg.HasAPIKey {
			t.Fatalf("updated %+v (created=%v)", cfg, created)
		}
		if c, err := svc.ForCall(adminCtx, "claude"); err != nil || c.APIKey != providerTestKey {
			t.Fatalf("key after update = %q, %v", c.APIKey, err)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM provider_configs`); n != 1 {
			t.Fatalf("%d rows, want 1", n)
		}
	})
	t.Run("UniqueName", func(t *testing.T) {
		_, err := s.DB.Pool.Exec(bg, `INSERT INTO provider_configs (id, name, kind, base_url, model, max_tokens, timeout_seconds, created_at, updated_at)
			VALUES (gen_random_uuid(), 'claude', 'ollama', 'http://x', 'm', 1, 5, now(), now())`)
		if err == nil || !strings.Contains(err.Error(), "provider_configs_name_key") {
			t.Fatalf("duplicate name: %v", err)
		}
	})
	t.Run("AuditHasNoKey", func(t *testing.T) {
		var details string
		if err := s.DB.Pool.QueryRow(bg, `SELECT string_agg(details::text, ' ' ORDER BY seq) FROM audit_log WHERE entity_type = 'provider_config'`).Scan(&details); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(details, "PROVIDERTESTKEY") {
			t.Fatalf("audit details hold the key: %s", details)
		}
		if !strings.Contains(details, `"api_key_changed":true`) || !strings.Contains(details, `"api_key_changed":false`) {
			t.Fatalf("audit details = %s", details)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'provider_config.create'`); n != 1 {
			t.Fatalf("%d create entries", n)
		}
	})
	t.Run("ViewerListsNamesOnly", func(t *testing.T) {
		cfgs, err := svc.ListProviderConfigs(viewerCtx)
		if err != nil || len(cfgs) != 1 {
			t.Fatalf("list = %v, %v", cfgs, err)
		}
		if c := cfgs[0]; c.Name != "claude" || c.Model != "claude-opus-4" || c.BaseURL != "" || c.HasAPIKey {
			t.Fatalf("viewer sees %+v", c)
		}
		_, err = svc.GetProviderConfig(viewerCtx, "claude")
		wantCode(t, err, domain.EFORBIDDEN)
		_, _, err = svc.PutProviderConfig(viewerCtx, domain.ProviderInput{Name: "x", Kind: domain.ProviderOllama, Model: "m"})
		wantCode(t, err, domain.EFORBIDDEN)
		wantCode(t, svc.DeleteProviderConfig(viewerCtx, "claude"), domain.EFORBIDDEN)
	})
	t.Run("WrongMasterKeyFailsClosed", func(t *testing.T) {
		_, err := newProviderServiceKey(t, s, 43).ForCall(adminCtx, "claude")
		wantCode(t, err, domain.EUNAVAILABLE)
	})
	t.Run("ClearKey", func(t *testing.T) {
		_, _, err := svc.PutProviderConfig(adminCtx, domain.ProviderInput{Name: "local", Kind: domain.ProviderOpenAI,
			BaseURL: "http://127.0.0.1:8000/v1", Model: "qwen", APIKey: providerTestKey})
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := svc.PutProviderConfig(adminCtx, domain.ProviderInput{Name: "local", Kind: domain.ProviderOpenAI,
			BaseURL: "http://127.0.0.1:8000/v1", Model: "qwen", ClearAPIKey: true})
		if err != nil || cfg.HasAPIKey {
			t.Fatalf("cleared: %+v, %v", cfg, err)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM provider_configs WHERE name = 'local' AND api_key_encrypted IS NULL`); n != 1 {
			t.Fatal("key column not cleared")
		}
	})
	t.Run("DeleteAndNotFound", func(t *testing.T) {
		if err := svc.DeleteProviderConfig(adminCtx, "local"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, svc.DeleteProviderConfig(adminCtx, "local"), domain.ENOTFOUND)
		_, err := svc.GetProviderConfig(adminCtx, "local")
		wantCode(t, err, domain.ENOTFOUND)
		_, err = svc.ForCall(adminCtx, "no such name")
		wantCode(t, err, domain.ENOTFOUND)
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'provider_config.delete'`); n != 1 {
			t.Fatalf("%d delete entries", n)
		}
	})
	t.Run("UserDeletedSetsNull", func(t *testing.T) {
		u, _ := MustCreateUser(t, s, domain.RoleAdmin)
		if _, err := s.DB.Pool.Exec(bg, `UPDATE provider_configs SET created_by = $1, updated_by = $1 WHERE name = 'claude'`, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB.Pool.Exec(bg, `DELETE FROM users WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM provider_configs WHERE name = 'claude' AND created_by IS NULL AND updated_by IS NULL`); n != 1 {
			t.Fatal("created_by/updated_by not set to NULL")
		}
	})
}

// An Ollama config saved without a base URL talks to the team's Ollama; one with a URL keeps it.
func TestProviderStore_OllamaURLFromSettings(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	svc := newProviderService(t, s)
	settings := db.NewSettingsService(s.DB)
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	team := "http://gpu-box.internal:11434"
	if _, err := settings.UpdateSettings(adminCtx, domain.SettingsUpdate{OllamaURL: &team}); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := svc.PutProviderConfig(adminCtx, domain.ProviderInput{Name: "local", Kind: domain.ProviderOllama, Model: "llama3.2:3b"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseURL != team {
		t.Errorf("base URL = %q, want the team's Ollama %q", cfg.BaseURL, team)
	}
	cfg, _, err = svc.PutProviderConfig(adminCtx, domain.ProviderInput{Name: "other", Kind: domain.ProviderOllama, Model: "llama3.2:3b", BaseURL: "http://10.0.0.5:11434"})
	if err != nil || cfg.BaseURL != "http://10.0.0.5:11434" {
		t.Errorf("explicit base URL = %v, %v", cfg, err)
	}
	cfg, _, err = svc.PutProviderConfig(adminCtx, domain.ProviderInput{Name: "oai", Kind: domain.ProviderOpenAI, Model: "gpt-4o-mini", APIKey: providerTestKey})
	if err != nil || cfg.BaseURL != "https://api.openai.com/v1" {
		t.Errorf("other kinds keep their default: %v, %v", cfg, err)
	}
}
