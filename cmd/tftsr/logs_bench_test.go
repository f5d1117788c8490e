package main

import (
	"context"
	"fmt"
	"io"
	"testing"

	"tftsr/blob/blobtest"
	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
)

// benchLine is one of a few hundred varied log lines, a quarter of them with an address or an
// e-mail address.
func benchLine(i int) string {
	switch i % 4 {
	case 0:
		return fmt.Sprintf("2026-03-01T09:%02d:%02dZ web-%d sshd[%d]: Accepted publickey for deploy from 10.1.%d.%d port %d\n",
			i/60%60, i%60, i%7, 1000+i%9000, i%256, (i*7)%256, 1024+i%60000)
	case 1:
		return fmt.Sprintf("2026-03-01T09:%02d:%02dZ app[%d]: INFO order %d placed by customer%d@example.com total=%d EUR\n",
			i/60%60, i%60, i%97, i*31, i%10000, i%500)
	case 2:
		return fmt.Sprintf("2026-03-01T09:%02d:%02dZ app[%d]: WARN upstream timeout after %dms, retry %d of 3\n",
			i/60%60, i%60, i%97, i%5000, i%3+1)
	}
	return fmt.Sprintf("2026-03-01T09:%02d:%02dZ app[%d]: INFO request completed status=200 duration=%dms route=/checkout\n",
		i/60%60, i%60, i%97, i%900)
}

// benchLines are 4096 lines, made once so that generating the log costs little.
var benchLines = func() []string {
	out := make([]string, 4096)
	for i := range out {
		out[i] = benchLine(i)
	}
	return out
}()

// genLog reads as size bytes of log without holding them.
type genLog struct {
	left int64
	i    int
	line string
}

func (g *genLog) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && g.left > 0 {
		if g.line == "" {
			g.line = benchLines[g.i%len(benchLines)]
			g.i++
		}
		c := copy(p[n:n+int(min(int64(len(p)-n), g.left))], g.line)
		g.line = g.line[c:]
		n += c
		g.left -= int64(c)
	}
	return n, nil
}

// BenchmarkUploadLogToMinIO uploads a 100 MB log through the real pipeline into the test MinIO
// and the test Postgres: UTF-8 check, hash, gzip, PII scan, object first, then the row. Peak
// memory: /usr/bin/time -v go test ./cmd/tftsr -run '^$' -bench UploadLogToMinIO -benchtime 3x
func BenchmarkUploadLogToMinIO(b *testing.B) {
	ctx := context.Background()
	store := blobtest.Open(b)
	database := dbtest.New(b)
	sys := domain.NewSystemContext(ctx, "bench")
	issue, err := db.NewIssueService(database).CreateIssue(sys, domain.NewIssue{Title: "Benchmark"})
	if err != nil {
		b.Fatal(err)
	}
	logs := domain.NewLogService(db.NewLogStore(database), store, domain.LogLimits{})
	logs.TempDir = b.TempDir()

	const size = 100 << 20
	b.SetBytes(size)
	for b.Loop() {
		l, err := logs.UploadLog(sys, issue.ID, "bench.log", &genLog{left: size})
		if err != nil {
			b.Fatal(err)
		}
		if l[0].SizeBytes != size {
			b.Fatalf("stored %d bytes", l[0].SizeBytes)
		}
	}
}
