package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"strings"
	"testing"
	"time"

	"tftsr/blob"
	"tftsr/blob/blobtest"
	"tftsr/domain"
)

// mustOpen returns a store on a bucket of the test's own on the test MinIO.
func mustOpen(t *testing.T) *blob.Store {
	t.Helper()
	s := blobtest.Open(t)
	if err := s.EnsureBucket(context.Background()); err != nil {
		t.Fatalf("EnsureBucket on an existing bucket: %v", err)
	}
	return s
}

func TestStore(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()

	t.Run("streamed put round-trips", func(t *testing.T) {
		data := make([]byte, 20<<20+123) // more than one 16 MB part
		rand.Read(data)
		if err := s.Put(ctx, "logs/a/1.txt.gz", io.MultiReader(bytes.NewReader(data)), -1, "application/gzip"); err != nil {
			t.Fatal(err)
		}
		r, err := s.Get(ctx, "logs/a/1.txt.gz")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			t.Fatal(err)
		}
		if got, want := h.Sum(nil), sha256.Sum256(data); !bytes.Equal(got, want[:]) {
			t.Error("content differs after the round trip")
		}
	})

	t.Run("missing object is not found", func(t *testing.T) {
		_, err := s.Get(ctx, "logs/none")
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("got %v, want ENOTFOUND", err)
		}
	})

	t.Run("delete and delete prefix", func(t *testing.T) {
		for _, k := range []string{"images/i1/a", "images/i1/b", "images/i2/c"} {
			if err := s.Put(ctx, k, strings.NewReader(k), int64(len(k)), "text/plain"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Delete(ctx, "images/i2/c", "images/i2/never-existed"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePrefix(ctx, "images/i1/"); err != nil {
			t.Fatal(err)
		}
		var left []string
		if err := s.List(ctx, "images/", time.Time{}, func(k string) error { left = append(left, k); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(left) != 0 {
			t.Errorf("left after deletes: %v", left)
		}
	})

	t.Run("list honours before", func(t *testing.T) {
		if err := s.Put(ctx, "thumbs/x/new.jpg", strings.NewReader("x"), 1, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := s.List(ctx, "thumbs/", time.Now().Add(-time.Hour), func(string) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("listed %d objects newer than the cut-off", n)
		}
	})
}

// ownerFunc is an ObjectOwner made of a function.
type ownerFunc func(keys []string) map[string]bool

func (f ownerFunc) OwnedObjectKeys(_ context.Context, keys []string) (map[string]bool, error) {
	return f(keys), nil
}

func TestSweeperRemovesOnlyOrphans(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	for _, k := range []string{"logs/i/owned.txt.gz", "logs/i/orphan.txt.gz", "images/i/orphan"} {
		if err := s.Put(ctx, k, strings.NewReader("x"), 1, "text/plain"); err != nil {
			t.Fatal(err)
		}
	}
	owned := ownerFunc(func(keys []string) map[string]bool {
		m := map[string]bool{}
		for _, k := range keys {
			m[k] = k == "logs/i/owned.txt.gz"
		}
		return m
	})
	sw := domain.NewSweeper(s, time.Hour, map[string]domain.ObjectOwner{"logs/": owned, "images/": owned})
	if n, err := sw.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("sweep of fresh objects removed %d (%v), want none: uploads in flight are safe", n, err)
	}
	sw.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	n, err := sw.Sweep(ctx)
	if err != nil || n != 2 {
		t.Fatalf("sweep removed %d (%v), want the 2 orphans", n, err)
	}
	if _, err := s.Get(ctx, "logs/i/owned.txt.gz"); err != nil {
		t.Errorf("owned object gone: %v", err)
	}
}
