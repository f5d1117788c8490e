// Package blobtest gives tests an object store, the one way for every package: Open for a real
// bucket of the test's own on the test MinIO, Mem for a store in memory.
//
// The MinIO server is the one TEST_S3_ENDPOINT names (with TEST_S3_ACCESS_KEY and
// TEST_S3_SECRET_KEY); `make test` starts one and sets them. Without it the tests that need it
// are skipped, or fail under TFTSR_REQUIRE_INTEGRATION=1. Each test gets a fresh bucket, emptied
// and removed when it ends, so tests run in parallel and leave nothing behind.
//
// Domain tests do not use this package: domain imports no adapter, in its tests neither
// (internal/archtest), and keeps the fakes it needs in its own test files.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tftsr/blob"
	"tftsr/domain"
)

// EnvVar names the environment variable holding the test MinIO's host:port.
const EnvVar = "TEST_S3_ENDPOINT"

// Config returns the test MinIO's settings with a fresh bucket name of tb's own, for a test that
// opens the store itself (through a proxy, or a whole server configured by environment). The
// bucket is not created here (OpenConfig does that, or the code under test), but whatever of it
// exists when tb ends is emptied and removed. It skips tb when TEST_S3_ENDPOINT is unset (fails
// it under TFTSR_REQUIRE_INTEGRATION=1).
func Config(tb testing.TB) blob.Config {
	tb.Helper()
	endpoint := os.Getenv(EnvVar)
	if endpoint == "" {
		if os.Getenv("TFTSR_REQUIRE_INTEGRATION") == "1" {
			tb.Fatalf("blobtest: %s is not set, and TFTSR_REQUIRE_INTEGRATION=1 requires the object store tests to run", EnvVar)
		}
		tb.Skipf("blobtest: %s is not set; set it to a MinIO host:port (`make test` starts one) to run object store tests", EnvVar)
	}
	cfg := blob.Config{Endpoint: endpoint, AccessKey: os.Getenv("TEST_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("TEST_S3_SECRET_KEY"), Bucket: "tftsr-t-" + strings.ToLower(rand.Text()[:16])}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := remove(ctx, cfg); err != nil {
			tb.Errorf("blobtest: remove bucket %s: %v", cfg.Bucket, err)
		}
	})
	return cfg
}

// remove empties and removes cfg's bucket. It creates the bucket first, when the test never did,
// as the simplest way to make removing it succeed either way.
func remove(ctx context.Context, cfg blob.Config) error {
	s, err := blob.Open(cfg)
	if err != nil {
		return err
	}
	if err := s.EnsureBucket(ctx); err != nil {
		return err
	}
	if err := s.DeletePrefix(ctx, ""); err != nil {
		return err
	}
	return s.RemoveBucket(ctx)
}

// Open returns a store on a fresh bucket of tb's own on the test MinIO, emptied and removed when
// tb ends. It skips tb when TEST_S3_ENDPOINT is unset (fails it under
// TFTSR_REQUIRE_INTEGRATION=1).
func Open(tb testing.TB) *blob.Store {
	tb.Helper()
	return OpenConfig(tb, Config(tb))
}

// OpenConfig opens the store cfg (from Config) names and creates its bucket.
func OpenConfig(tb testing.TB, cfg blob.Config) *blob.Store {
	tb.Helper()
	s, err := blob.Open(cfg)
	if err != nil {
		tb.Fatalf("blobtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.EnsureBucket(ctx); err != nil {
		tb.Fatalf("blobtest: %v", err)
	}
	return s
}

// Mem is a domain.BlobStore in memory that behaves as blob.Store does (the tests of this package
// hold both to the same expectations). The zero value is empty and ready; it is safe for
// concurrent use.
type Mem struct {
	// Now, when set, gives the modification time of the objects put; else time.Now.
	Now func() time.Time

	mu      sync.Mutex
	objects map[string]memObject
}

type memObject struct {
	data     []byte
	modified time.Time
}

var _ domain.BlobStore = (*Mem)(nil)

// Put stores what r holds under key. When reading r fails, nothing is stored.
func (m *Mem) Put(_ context.Context, key string, r io.Reader, _ int64, _ string) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects = map[string]memObject{}
	}
	m.objects[key] = memObject{data: data, modified: now()}
	return nil
}

// Get opens the object stored under key; a missing object is ENOTFOUND.
func (m *Mem) Get(_ context.Context, key string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "The stored file is missing.")
	}
	return io.NopCloser(bytes.NewReader(o.data)), nil
}

// Delete removes the objects; missing ones are no error.
func (m *Mem) Delete(_ context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.objects, k)
	}
	return nil
}

// DeletePrefix removes every object whose key starts with prefix.
func (m *Mem) DeletePrefix(_ context.Context, prefix string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.objects {
		if strings.HasPrefix(k, prefix) {
			delete(m.objects, k)
		}
	}
	return nil
}

// List calls fn with every key under prefix, in key order as S3 lists them; with a non-zero
// before, only objects last modified before it. fn may call the store.
func (m *Mem) List(_ context.Context, prefix string, before time.Time, fn func(key string) error) error {
	m.mu.Lock()
	var keys []string
	for k, o := range m.objects {
		if strings.HasPrefix(k, prefix) && (before.IsZero() || o.modified.Before(before)) {
			keys = append(keys, k)
		}
	}
	m.mu.Unlock()
	slices.Sort(keys)
	for _, k := range keys {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// Keys returns the keys of every object stored, in order.
func (m *Mem) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.objects))
	for k := range m.objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
