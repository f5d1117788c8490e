// Package blob stores the portal's objects (log text, images, thumbnails, exported PDFs) in
// MinIO or any S3-compatible store through minio-go.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"tftsr/domain"
)

// Config says where the object store is.
type Config struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
	Bucket    string
	Secure    bool // use TLS
	Region    string
}

// Store is a bucket in an S3-compatible store.
type Store struct {
	client *minio.Client
	bucket string
	region string
}

// Open connects to the store. It does not talk to the server; EnsureBucket does.
func Open(cfg Config) (*Store, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       cfg.Secure,
		Region:       cfg.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", cfg.Endpoint, err)
	}
	return &Store{client: client, bucket: cfg.Bucket, region: cfg.Region}, nil
}

// EnsureBucket creates the bucket when it does not exist yet.
func (s *Store) EnsureBucket(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("checking bucket %s: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	if err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region}); err != nil {
		if resp := minio.ToErrorResponse(err); resp.Code == "BucketAlreadyOwnedByYou" {
			return nil
		}
		return fmt.Errorf("creating bucket %s: %w", s.bucket, err)
	}
	return nil
}

// Ready reports whether the store answers and the bucket exists.
func (s *Store) Ready(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("bucket %s does not exist", s.bucket)
	}
	return nil
}

var _ domain.BlobStore = (*Store)(nil)

// Put stores r under key. With size -1 the object is streamed in parts, so r is never held
// whole in memory.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	opts := minio.PutObjectOptions{ContentType: contentType}
	if size < 0 {
		opts.PartSize = 16 << 20
	}
	if _, err := s.client.PutObject(ctx, s.bucket, key, r, size, opts); err != nil {
		return unavailable("storing", key, err)
	}
	return nil
}

// Get opens the object stored under key.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, unavailable("reading", key, err)
	}
	// GetObject is lazy: Stat makes the request, so a missing object is reported here.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, domain.Errorf(domain.ENOTFOUND, "The stored file is missing.")
		}
		return nil, unavailable("reading", key, err)
	}
	return obj, nil
}

// Delete removes the objects; missing ones are no error.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	objects := make(chan minio.ObjectInfo, len(keys))
	for _, k := range keys {
		objects <- minio.ObjectInfo{Key: k}
	}
	close(objects)
	for e := range s.client.RemoveObjects(ctx, s.bucket, objects, minio.RemoveObjectsOptions{}) {
		if e.Err != nil && minio.ToErrorResponse(e.Err).Code != "NoSuchKey" {
			return unavailable("deleting", e.ObjectName, e.Err)
		}
	}
	return nil
}

// DeletePrefix removes every object whose key starts with prefix.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) error {
	var keys []string
	err := s.List(ctx, prefix, time.Time{}, func(key string) error {
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		return err
	}
	return s.Delete(ctx, keys...)
}

// List calls fn with every key under prefix; with a non-zero before, only objects last
// modified before it.
func (s *Store) List(ctx context.Context, prefix string, before time.Time, fn func(key string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return unavailable("listing", prefix, obj.Err)
		}
		if !before.IsZero() && !obj.LastModified.Before(before) {
			continue
		}
		if err := fn(obj.Key); err != nil {
			return err
		}
	}
	return nil
}

// unavailable reports a failure of the store as EUNAVAILABLE, keeping the cause for the log.
func unavailable(doing, key string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%w: %s %s: %v", domain.Errorf(domain.EUNAVAILABLE, "File storage is unavailable. Try again shortly."), doing, key, err)
}

// RemoveBucket removes the (empty) bucket. Tests use it to clean up.
func (s *Store) RemoveBucket(ctx context.Context) error {
	return s.client.RemoveBucket(ctx, s.bucket)
}

// ListSizes calls fn with the key and size of every object under prefix.
func (s *Store) ListSizes(ctx context.Context, prefix string, fn func(key string, size int64) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return unavailable("listing", prefix, obj.Err)
		}
		if err := fn(obj.Key, obj.Size); err != nil {
			return err
		}
	}
	return nil
}

// ObjectInfo is what the store says of an object it opens.
type ObjectInfo struct {
	Size        int64
	ContentType string
}

// Open opens the object stored under key and returns its size and content type; a missing
// object is ENOTFOUND.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, ObjectInfo{}, unavailable("reading", key, err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, ObjectInfo{}, domain.Errorf(domain.ENOTFOUND, "The stored file is missing.")
		}
		return nil, ObjectInfo{}, unavailable("reading", key, err)
	}
	return obj, ObjectInfo{Size: st.Size, ContentType: st.ContentType}, nil
}
