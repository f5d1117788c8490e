package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSecretBoxKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	cfg := config{DataDir: dir}

	box, err := openSecretBox(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, secretKeyFile)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", info.Mode().Perm())
	}
	if !strings.Contains(logs.String(), "TFTSR_DB_KEY is not set") {
		t.Fatalf("no warning logged: %s", logs.String())
	}
	sealed, err := box.Seal([]byte("sk-1"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(logs.String(), strings.TrimSpace(string(raw))) {
		t.Fatal("the key was logged")
	}

	// The next start reuses the key.
	again, err := openSecretBox(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(sealed); err != nil || string(got) != "sk-1" {
		t.Fatalf("reopened box: %q, %v", got, err)
	}

	// TFTSR_DB_KEY wins over the file.
	envKey := bytes.Repeat([]byte{5}, 32)
	fromEnv, err := openSecretBox(config{DataDir: dir, DBKey: envKey}, logger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fromEnv.Open(sealed); err == nil {
		t.Fatal("TFTSR_DB_KEY did not take precedence over the key file")
	}

	// A key file others can read is refused, never replaced.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := openSecretBox(cfg, logger); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("loose permissions: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, raw) {
		t.Fatal("the key file was rewritten")
	}
}

func TestOpenSecretBoxBadKeyFile(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for name, content := range map[string]string{
		"empty":      "",
		"not base64": "not a key!",
		"short":      base64.StdEncoding.EncodeToString(make([]byte, 16)),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, secretKeyFile), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := openSecretBox(config{DataDir: dir}, logger); err == nil {
				t.Fatal("a bad key file was accepted")
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, secretKeyFile), 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := openSecretBox(config{DataDir: dir}, logger); err == nil {
			t.Fatal("a directory was accepted as the key file")
		}
	})
}

func TestLoadConfigDataDir(t *testing.T) {
	c, err := loadConfig(func(k string) string { return map[string]string{"TFTSR_DATA_DIR": "/srv/tftsr"}[k] })
	if err != nil || c.DataDir != "/srv/tftsr" {
		t.Fatalf("DataDir = %q, %v", c.DataDir, err)
	}
	if c, _ := loadConfig(func(string) string { return "" }); c.DataDir != ".data" {
		t.Fatalf("default DataDir = %q", c.DataDir)
	}
}
