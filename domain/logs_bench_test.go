package domain_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"tftsr/domain"
)

// discardBlobs is a BlobStore that reads what it is given and keeps nothing.
type discardBlobs struct{ stored int64 }

func (d *discardBlobs) Put(_ context.Context, _ string, r io.Reader, _ int64, _ string) error {
	n, err := io.Copy(io.Discard, r)
	d.stored += n
	return err
}
func (d *discardBlobs) Get(context.Context, string) (io.ReadCloser, error) {
	return nil, domain.Errorf(domain.ENOTFOUND, "discarded")
}
func (d *discardBlobs) Delete(context.Context, ...string) error    { return nil }
func (d *discardBlobs) DeletePrefix(context.Context, string) error { return nil }
func (d *discardBlobs) List(context.Context, string, time.Time, func(string) error) error {
	return nil
}

// logLines are 4096 lines of a mixed log: sshd, nginx, application and kernel lines, about
// one in four with an IP address, some with e-mail addresses, tokens or passwords.
var logLines = func() [][]byte {
	rng := rand.New(rand.NewPCG(7, 9))
	lines := make([][]byte, 4096)
	for i := range lines {
		ts := fmt.Sprintf("2026-03-01T%02d:%02d:%02d.%03dZ", i/3600%24, i/60%60, i%60, rng.IntN(1000))
		var s string
		switch rng.IntN(8) {
		case 0:
			s = fmt.Sprintf("%s web-%d sshd[%d]: Accepted publickey for deploy from 10.%d.%d.%d port %d ssh2",
				ts, rng.IntN(9), 1000+rng.IntN(9000), rng.IntN(256), rng.IntN(256), rng.IntN(256), 1024+rng.IntN(60000))
		case 1:
			s = fmt.Sprintf(`192.0.2.%d - - [01/Mar/2026:09:00:%02d +0000] "GET /api/v1/orders/%d HTTP/1.1" 200 %d "-" "Mozilla/5.0"`,
				rng.IntN(256), i%60, rng.IntN(1e6), rng.IntN(1e5))
		case 2:
			s = fmt.Sprintf("%s app[%d]: INFO order %d placed by customer%d@example.com total=%d.%02d EUR",
				ts, rng.IntN(99), rng.IntN(1e7), rng.IntN(1e4), rng.IntN(500), rng.IntN(100))
		case 3:
			s = fmt.Sprintf("%s app[%d]: WARN upstream timeout after %dms, retry %d of 3", ts, rng.IntN(99), rng.IntN(5000), rng.IntN(3)+1)
		case 4:
			s = fmt.Sprintf("%s kernel: [%d.%06d] eth0: link up, 1000Mbps, full-duplex", ts, rng.IntN(1e5), rng.IntN(1e6))
		case 5:
			s = fmt.Sprintf("%s app[%d]: DEBUG cache hit ratio %.3f for shard %d (%d keys)", ts, rng.IntN(99), rng.Float64(), rng.IntN(64), rng.IntN(1e6))
		case 6:
			s = fmt.Sprintf("%s worker[%d]: ERROR job %d failed: connection refused by db-%d.internal.example.net:5432", ts, rng.IntN(99), rng.IntN(1e6), rng.IntN(4))
		default:
			s = fmt.Sprintf("%s app[%d]: INFO request completed status=200 duration=%dms route=/checkout", ts, rng.IntN(99), rng.IntN(900))
		}
		lines[i] = []byte(s + "\n")
	}
	return lines
}()

// logGenerator reads as a log of size bytes made of logLines, without holding it in memory.
type logGenerator struct {
	left int64
	i    int
	line []byte
}

func (g *logGenerator) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && g.left > 0 {
		if len(g.line) == 0 {
			g.line = logLines[g.i%len(logLines)]
			g.i++
		}
		c := copy(p[n:min(len(p), n+int(min(int64(len(p)-n), g.left)))], g.line)
		g.line = g.line[c:]
		n += c
		g.left -= int64(c)
	}
	return n, nil
}

// BenchmarkUploadLog measures the whole upload pipeline on a 100 MB log: UTF-8 check, SHA-256,
// gzip into a store that discards, PII scan, search prefix; the log is generated as it is read,
// so the process's memory is the pipeline's. Run with
//
//	/usr/bin/time -v go test ./domain -run '^$' -bench BenchmarkUploadLog -benchtime 3x
func BenchmarkUploadLog(b *testing.B) {
	const size = 100 << 20
	blobs := &discardBlobs{}
	store := newMemLogs("inc-1")
	svc := domain.NewLogService(store, blobs, domain.LogLimits{})
	svc.TempDir = b.TempDir()
	ctx := domain.NewContextWithUser(context.Background(), &domain.User{ID: "u", Role: domain.RoleResponder})
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		logs, err := svc.UploadLog(ctx, "inc-1", "bench.log", &logGenerator{left: size})
		if err != nil {
			b.Fatal(err)
		}
		if logs[0].SizeBytes != size {
			b.Fatalf("stored %d bytes", logs[0].SizeBytes)
		}
	}
	b.ReportMetric(float64(blobs.stored)/float64(b.N)/(1<<20), "gzMB/op")
}
