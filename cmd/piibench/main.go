// Command piibench measures `tftsr pii scan` against ripgrep running the seed app's 12 PII
// patterns, on the same generated log, each pinned to one core: wall time, throughput and peak
// RSS, as a table to paste. `make bench-pii` runs it; it needs rg (Debian's ripgrep) and taskset.
//
//	go run ./cmd/piibench [-size 1GiB] [-keep FILE]
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// seedPatterns are the seed app's 12 PII patterns (the inventory's §3.1), in ripgrep's syntax.
var seedPatterns = []string{
	`[a-z][a-z0-9+\-.]*://[^:@/\s]+:[^@/\s]+@`,
	`(?i)bearer\s+[A-Za-z0-9\-._~+/]+=*`,
	`(?i)(?:api[_-]?key|apikey|access[_-]?token)\s*[=:]\s*[A-Za-z0-9\-._~+/]{16,}`,
	`(?i)(?:password|passwd|pwd)\s*[=:]\s*\S+`,
	`\b\d{3}-\d{2}-\d{4}\b`,
	`\b(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|3[47][0-9]{13}|6(?:011|5[0-9]{2})[0-9]{12}|3(?:0[0-5]|[68][0-9])[0-9]{11}|35(?:2[89]|[3-8][0-9])[0-9]{12})\b`,
	`\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b`,
	`\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b`,
	`(?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,7}:|\b(?:[0-9a-f]{1,4}:){1,6}:[0-9a-f]{1,4}\b|::(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}\b`,
	`\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\b`,
	`\b(?:\+?1[-.\s]?)?\(?[0-9]{3}\)?[-.\s]?[0-9]{3}[-.\s]?[0-9]{4}\b`,
	`\b(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\b`,
}

func main() {
	size := flag.String("size", "1GiB", "size of the generated log (KiB, MiB, GiB suffixes)")
	keep := flag.String("keep", "", "write the log here and keep it (default: a temporary file, removed)")
	flag.Parse()
	if err := run(*size, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "piibench:", err)
		os.Exit(1)
	}
}

func run(sizeFlag, keep string) error {
	n, err := parseSize(sizeFlag)
	if err != nil {
		return err
	}
	for _, tool := range []string{"rg", "taskset"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not on the PATH (Debian: apt-get install ripgrep util-linux)", tool)
		}
	}
	dir, err := os.MkdirTemp("", "piibench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	logPath := keep
	if logPath == "" {
		logPath = filepath.Join(dir, "bench.log")
	}
	fmt.Fprintf(os.Stderr, "generating %s of log lines...\n", sizeFlag)
	if err := generate(logPath, n); err != nil {
		return err
	}
	patterns := filepath.Join(dir, "patterns")
	if err := os.WriteFile(patterns, []byte(strings.Join(seedPatterns, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	bin := filepath.Join(dir, "tftsr")
	fmt.Fprintln(os.Stderr, "building tftsr...")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/tftsr").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	// Read the file once so that both runs find it in the page cache.
	if err := warm(logPath); err != nil {
		return err
	}

	runs := []struct {
		name string
		args []string
	}{
		{"tftsr pii scan", []string{bin, "pii", "scan", logPath}},
		{"rg -j1 -o -b -f patterns (12 seed patterns)", []string{"rg", "-j1", "-o", "-b", "--no-filename", "-f", patterns, logPath}},
	}
	results := make([]result, len(runs))
	for i, r := range runs {
		fmt.Fprintf(os.Stderr, "running %s...\n", r.name)
		if results[i], err = measure(r.args); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
	}
	fmt.Printf("Input: %s generated log (%d bytes), each tool pinned to CPU 0 (taskset -c 0), output to a counter.\n\n", sizeFlag, n)
	fmt.Println("| tool | wall time | throughput | peak RSS | output lines |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	for i, r := range runs {
		res := results[i]
		fmt.Printf("| %s | %.2f s | %.0f MB/s | %.1f MB | %d |\n", r.name, res.wall.Seconds(),
			float64(n)/1e6/res.wall.Seconds(), float64(res.maxRSS)/(1<<20), res.lines)
	}
	fmt.Printf("\nSpeed-up of tftsr over ripgrep: %.2f×\n", results[1].wall.Seconds()/results[0].wall.Seconds())
	return nil
}

type result struct {
	wall   time.Duration
	maxRSS int64 // bytes
	lines  int
}

// measure runs args on CPU 0 and counts its output lines.
func measure(args []string) (result, error) {
	cmd := exec.Command("taskset", append([]string{"-c", "0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return result{}, err
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	lines := 0
	br := bufio.NewReaderSize(out, 1<<20)
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			lines++
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return result{}, err
		}
	}
	if err := cmd.Wait(); err != nil {
		return result{}, err
	}
	wall := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return result{wall: wall, maxRSS: ru.Maxrss * 1024, lines: lines}, nil
}

func warm(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, suffix) {
			s, mult = strings.TrimSuffix(s, suffix), m
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad -size %q: want a number with KiB, MiB or GiB", s)
	}
	return v * mult, nil
}

// generate writes n bytes of application, web and system log lines, deterministically, with
// personal data and secrets in a few percent of them.
func generate(path string, n int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	t := time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)
	services := []string{"payments-gateway", "checkout-api", "auth-service", "inventory-worker", "kafka-consumer", "nginx"}
	levels := []string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}
	var written int64
	var line []byte
	for written < n {
		t = t.Add(time.Duration(r.IntN(900)) * time.Millisecond)
		line = line[:0]
		line = t.AppendFormat(line, "2006-01-02T15:04:05.000Z07:00")
		svc := services[r.IntN(len(services))]
		line = fmt.Appendf(line, " %s [%s-7d9f8b6c4-%c%c%c%c%c] ", levels[r.IntN(len(levels))], svc,
			'a'+r.IntN(26), '0'+r.IntN(10), 'a'+r.IntN(26), '0'+r.IntN(10), 'a'+r.IntN(26))
		switch k := r.IntN(100); {
		case k < 30:
			line = fmt.Appendf(line, "GET /api/v2/orders/%d/items?page=%d 200 %dms trace_id=%016x", r.IntN(1_000_000), r.IntN(50), r.IntN(900), r.Uint64())
		case k < 50:
			line = fmt.Appendf(line, "com.example.payments.ledger.LedgerWriter - committed batch %d of %d (%d entries) in %d.%03d s", r.IntN(9999), 10000, r.IntN(500), r.IntN(5), r.IntN(1000))
		case k < 65:
			line = fmt.Appendf(line, "consumer group orders-v3 lag=%d partition=%d offset=%d build=2026.11.%d-rc%d", r.IntN(50000), r.IntN(64), r.Int64N(1<<40), r.IntN(30), r.IntN(9))
		case k < 75:
			line = fmt.Appendf(line, "    at com.example.checkout.CartService.apply(CartService.java:%d) ~[checkout-core-4.%d.%d.jar:na]", r.IntN(900), r.IntN(20), r.IntN(10))
		case k < 83:
			line = fmt.Appendf(line, "connection from 10.%d.%d.%d:%d to db-primary.internal.example.net:5432 accepted", r.IntN(256), r.IntN(256), r.IntN(256), 1024+r.IntN(60000))
		case k < 89:
			line = fmt.Appendf(line, "password reset mail sent to user%d.%c@example.com (request %x)", r.IntN(100000), 'a'+r.IntN(26), r.Uint32())
		case k < 92:
			line = fmt.Appendf(line, "upstream auth failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI%d.sig%x", r.IntN(1_000_000), r.Uint64())
		case k < 94:
			line = fmt.Appendf(line, "config loaded api_key=AKIA%016X region=eu-west-1 password=Tr0ub4dor&%d", r.Uint64(), r.IntN(100))
		case k < 96:
			line = fmt.Appendf(line, "client %02x:%02x:%02x:%02x:%02x:%02x at fe80::%x:%x:%x:%x called +1 555-%03d-%04d", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(65536), r.IntN(65536), r.IntN(65536), r.IntN(65536), r.IntN(1000), r.IntN(10000))
		default:
			line = fmt.Appendf(line, "retrying postgres://app:s3cret%d@db-replica-%d.example.net/orders in %d ms", r.IntN(100), r.IntN(5), r.IntN(5000))
		}
		line = append(line, '\n')
		if rem := n - written; int64(len(line)) > rem {
			line = line[:rem]
		}
		if _, err := w.Write(line); err != nil {
			f.Close()
			return err
		}
		written += int64(len(line))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
