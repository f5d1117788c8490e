package db_test

import (
	"context"
	"testing"

	"tftsr/domain"
)

func TestSettingsService(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	admin, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)
	_, responderCtx := MustCreateUser(t, s, domain.RoleResponder)

	t.Run("Defaults", func(t *testing.T) {
		got, err := s.Settings.GetSettings(viewerCtx)
		if err != nil {
			t.Fatal(err)
		} else if got != domain.DefaultSettings() {
			t.Fatalf("settings = %+v", got)
		}
	})
	t.Run("Update", func(t *testing.T) {
		got, err := s.Settings.UpdateSettings(adminCtx, domain.SettingsUpdate{TeamName: ptr(" Night shift "), DefaultSeverity: ptr(domain.SeverityHigh)})
		if err != nil {
			t.Fatal(err)
		}
		want := domain.Settings{TeamName: "Night shift", DefaultSeverity: domain.SeverityHigh, DefaultCategory: "general", PaperSize: domain.PaperA4, OllamaURL: domain.DefaultOllamaURL}
		if got != want {
			t.Fatalf("settings = %+v, want %+v", got, want)
		}
		if read, _ := s.Settings.GetSettings(viewerCtx); read != want {
			t.Fatalf("read back %+v", read)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM settings WHERE updated_by = $1`, admin.ID); n != 2 {
			t.Fatalf("%d rows stored, want one per changed key", n)
		}
		var details string
		if err := s.DB.Pool.QueryRow(context.Background(), `SELECT details::text FROM audit_log WHERE action = 'settings.update'`).Scan(&details); err != nil {
			t.Fatal(err)
		}
		if want := `{"changes":{"default_severity":{"from":"medium","to":"high"},"team_name":{"from":"TFTSR","to":"Night shift"}}}`; details != want {
			t.Fatalf("audit details = %s, want %s", details, want)
		}
		// The same values again record nothing.
		if _, err := s.Settings.UpdateSettings(adminCtx, domain.SettingsUpdate{TeamName: ptr("Night shift")}); err != nil {
			t.Fatal(err)
		}
		if n := mustCount(t, s.DB, `SELECT count(*) FROM audit_log WHERE action = 'settings.update'`); n != 1 {
			t.Fatalf("%d settings.update entries, want 1", n)
		}
	})
	t.Run("StoredGarbageIgnored", func(t *testing.T) {
		if _, err := s.DB.Pool.Exec(context.Background(), `
			INSERT INTO settings (key, value, updated_at) VALUES ('default_category', '"plumbing"', now()), ('old_key', '1', now())`); err != nil {
			t.Fatal(err)
		}
		got, err := s.Settings.GetSettings(viewerCtx)
		if err != nil {
			t.Fatal(err)
		} else if got.DefaultCategory != "general" || got.TeamName != "Night shift" {
			t.Fatalf("settings = %+v", got)
		}
	})
	t.Run("Err", func(t *testing.T) {
		_, err := s.Settings.UpdateSettings(responderCtx, domain.SettingsUpdate{TeamName: ptr("x")})
		wantCode(t, err, domain.EFORBIDDEN)
		_, err = s.Settings.UpdateSettings(adminCtx, domain.SettingsUpdate{TeamName: ptr(""), DefaultSeverity: ptr(domain.Severity("meh"))})
		wantCode(t, err, domain.EINVALID)
		_, err = s.Settings.GetSettings(context.Background())
		wantCode(t, err, domain.EUNAUTHORIZED)
	})
}

func TestSettingsService_OllamaURL(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, adminCtx := MustCreateUser(t, s, domain.RoleAdmin)

	got, err := s.Settings.UpdateSettings(adminCtx, domain.SettingsUpdate{OllamaURL: ptr(" http://gpu-box:11434/ ")})
	if err != nil {
		t.Fatal(err)
	} else if got.OllamaURL != "http://gpu-box:11434" {
		t.Fatalf("ollama_url = %q, want it trimmed", got.OllamaURL)
	}
	if read, _ := s.Settings.GetSettings(adminCtx); read.OllamaURL != "http://gpu-box:11434" {
		t.Fatalf("read back %q", read.OllamaURL)
	}
	var details string
	if err := s.DB.Pool.QueryRow(context.Background(), `SELECT details::text FROM audit_log WHERE action = 'settings.update'`).Scan(&details); err != nil {
		t.Fatal(err)
	}
	if want := `{"changes":{"ollama_url":{"from":"http://localhost:11434","to":"http://gpu-box:11434"}}}`; details != want {
		t.Fatalf("audit details = %s, want %s", details, want)
	}
	for _, bad := range []string{"", "ftp://x", "http://user:pw@x:11434", "http://x:11434/?a=1", "http://x#f", "x:11434", "http://a b"} {
		_, err := s.Settings.UpdateSettings(adminCtx, domain.SettingsUpdate{OllamaURL: ptr(bad)})
		wantCode(t, err, domain.EINVALID)
		if domain.ErrorFields(err)["ollama_url"] == "" {
			t.Errorf("%q: no field message", bad)
		}
	}
	// A stored value that no longer validates falls back to the default.
	if _, err := s.DB.Pool.Exec(context.Background(), `UPDATE settings SET value = '"ftp://old"' WHERE key = 'ollama_url'`); err != nil {
		t.Fatal(err)
	}
	if read, _ := s.Settings.GetSettings(adminCtx); read.OllamaURL != domain.DefaultOllamaURL {
		t.Fatalf("garbage read back as %q", read.OllamaURL)
	}
}
