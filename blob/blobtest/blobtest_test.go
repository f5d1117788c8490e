package blobtest_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"tftsr/blob"
	"tftsr/blob/blobtest"
	"tftsr/domain"
)

// TestStores holds the real store and the in-memory one to the same expectations, so that a
// test on Mem means what it would on MinIO.
func TestStores(t *testing.T) {
	t.Run("minio", func(t *testing.T) { behavesAsBlobStore(t, blobtest.Open(t)) })
	t.Run("mem", func(t *testing.T) { behavesAsBlobStore(t, &blobtest.Mem{}) })
}

func behavesAsBlobStore(t *testing.T, s domain.BlobStore) {
	ctx := context.Background()
	put := func(key, data string) {
		t.Helper()
		if err := s.Put(ctx, key, strings.NewReader(data), -1, "text/plain"); err != nil {
			t.Fatal(err)
		}
	}
	list := func(prefix string, before time.Time) []string {
		t.Helper()
		var keys []string
		if err := s.List(ctx, prefix, before, func(k string) error { keys = append(keys, k); return nil }); err != nil {
			t.Fatal(err)
		}
		return keys
	}
	for _, k := range []string{"logs/b/2", "logs/a/1", "logs/a/2", "images/a/1", "logs/ab/1"} {
		put(k, "object "+k)
	}

	r, err := s.Get(ctx, "logs/a/1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	r.Close()
	if err != nil || string(b) != "object logs/a/1" {
		t.Errorf("Get = %q, %v", b, err)
	}
	if _, err := s.Get(ctx, "logs/none"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Get of a missing object: %v, want ENOTFOUND", err)
	}
	put("logs/a/1", "replaced")
	if r, err := s.Get(ctx, "logs/a/1"); err != nil {
		t.Error(err)
	} else if b, _ := io.ReadAll(r); string(b) != "replaced" {
		t.Errorf("after a second Put, Get = %q", b)
	}

	if got, want := list("logs/", time.Time{}), []string{"logs/a/1", "logs/a/2", "logs/ab/1", "logs/b/2"}; !slices.Equal(got, want) {
		t.Errorf("List logs/ = %q, want %q", got, want)
	}
	if got := list("", time.Now().Add(-time.Hour)); len(got) != 0 {
		t.Errorf("List before an hour ago = %q, want nothing", got)
	}
	if got := list("images/", time.Now().Add(time.Hour)); !slices.Equal(got, []string{"images/a/1"}) {
		t.Errorf("List images/ before an hour from now = %q", got)
	}
	stop := errors.New("stop")
	if err := s.List(ctx, "", time.Time{}, func(string) error { return stop }); err != stop {
		t.Errorf("List returned %v, want fn's error", err)
	}

	if err := s.Delete(ctx, "logs/b/2", "logs/none"); err != nil {
		t.Errorf("Delete with a missing key: %v", err)
	}
	if err := s.DeletePrefix(ctx, "logs/a/"); err != nil {
		t.Fatal(err)
	}
	if got, want := list("", time.Time{}), []string{"images/a/1", "logs/ab/1"}; !slices.Equal(got, want) {
		t.Errorf("after Delete and DeletePrefix: %q, want %q", got, want)
	}
}

// TestMemFailedPut: a Put whose reader fails stores nothing, as an upload cut short.
func TestMemFailedPut(t *testing.T) {
	m := &blobtest.Mem{}
	cut := errors.New("connection reset")
	if err := m.Put(context.Background(), "logs/a/1", io.MultiReader(strings.NewReader("part"), errReader{cut}), -1, ""); !errors.Is(err, cut) {
		t.Fatalf("Put = %v, want the reader's error", err)
	}
	if keys := m.Keys(); len(keys) != 0 {
		t.Errorf("stored %q", keys)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestConfigRemovesBucket: the bucket of Config is gone once its test ends, objects and all,
// and so is one the test never created.
func TestConfigRemovesBucket(t *testing.T) {
	var used, unused blob.Config
	t.Run("inner", func(t *testing.T) {
		used, unused = blobtest.Config(t), blobtest.Config(t)
		if used.Bucket == unused.Bucket {
			t.Fatalf("two tests share bucket %s", used.Bucket)
		}
		s := blobtest.OpenConfig(t, used)
		if err := s.Put(context.Background(), "logs/a/1", strings.NewReader("x"), 1, ""); err != nil {
			t.Fatal(err)
		}
	})
	if used.Bucket == "" {
		t.Skip("no test MinIO")
	}
	for _, cfg := range []blob.Config{used, unused} {
		s, err := blob.Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("bucket %s after its test: %v, want it gone", cfg.Bucket, err)
		}
	}
}
