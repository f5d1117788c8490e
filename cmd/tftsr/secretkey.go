package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"tftsr/domain"
)

// secretKeyFile is the name of the master key file in the data directory.
const secretKeyFile = "secret.key"

// openSecretBox returns the box that seals provider API keys. Its master key is TFTSR_DB_KEY
// when set; otherwise a random key kept in the data directory's secret.key, created once with
// mode 0600. A key file that others may read or write, or that holds anything but a key, is
// refused rather than used or replaced: the portal never falls back to a weaker key.
func openSecretBox(cfg config, logger *slog.Logger) (*domain.SecretBox, error) {
	key, err := masterKey(cfg, logger, true)
	if err != nil {
		return nil, err
	}
	return domain.NewSecretBox(key)
}

// openKeys returns the box that seals provider API keys and the keys of the audit chain, both
// from the one master key (see openSecretBox).
func openKeys(cfg config, logger *slog.Logger) (*domain.SecretBox, *domain.AuditKeys, error) {
	key, err := masterKey(cfg, logger, true)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the master key: %w", err)
	}
	box, err := domain.NewSecretBox(key)
	if err != nil {
		return nil, nil, err
	}
	audit, err := domain.NewAuditKeys(key)
	if err != nil {
		return nil, nil, err
	}
	return box, audit, nil
}

// masterKey returns TFTSR_DB_KEY, else the key in the data directory's key file, which it
// creates when create is set and there is none. The audit chain's keys are derived from it too.
func masterKey(cfg config, logger *slog.Logger, create bool) ([]byte, error) {
	if cfg.DBKey != nil {
		return cfg.DBKey, nil
	}
	path := filepath.Join(cfg.DataDir, secretKeyFile)
	if !create {
		key, err := readKeyFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no master key: TFTSR_DB_KEY is not set and there is no key file %s (set TFTSR_DB_KEY, or TFTSR_DATA_DIR to the portal's data directory)", path)
		}
		return key, err
	}
	key, created, err := loadOrCreateKeyFile(path)
	if err != nil {
		return nil, err
	}
	if created {
		logger.Warn("TFTSR_DB_KEY is not set: created a new master key for provider API keys and the audit chain; back it up, or set TFTSR_DB_KEY",
			slog.String("file", path))
	} else {
		logger.Warn("TFTSR_DB_KEY is not set: provider API keys and the audit chain are keyed with the key file", slog.String("file", path))
	}
	return key, nil
}

// loadOrCreateKeyFile reads the base64 master key at path, or creates it when there is no file.
func loadOrCreateKeyFile(path string) ([]byte, bool, error) {
	key, err := readKeyFile(path)
	if err == nil {
		return key, false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("creating the key file's directory: %w", err)
	}
	key = make([]byte, domain.MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, err
	}
	// O_EXCL: two portals starting at once must not each write a key; the loser reads the winner's.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		key, err := readKeyFile(path)
		return key, false, err
	} else if err != nil {
		return nil, false, fmt.Errorf("creating the key file: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return nil, false, fmt.Errorf("writing the key file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, false, fmt.Errorf("writing the key file: %w", err)
	}
	return key, true, nil
}

// readKeyFile reads a key file, refusing one whose permissions let anyone but its owner in.
func readKeyFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("the key file %s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("the key file %s may be read by others (mode %04o): run `chmod 600 %s`", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != domain.MasterKeySize {
		return nil, fmt.Errorf("the key file %s does not hold a %d-byte base64 key", path, domain.MasterKeySize)
	}
	return key, nil
}
