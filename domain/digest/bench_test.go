package digest

import (
	"fmt"
	"testing"
	"time"
)

// benchLog generates a deterministic, realistic mixed log of at least size bytes: access
// lines, key=value lines, warnings, errors and Java, Python and Go stack traces.
func benchLog(size int) []byte {
	buf := make([]byte, 0, size+4096)
	r := uint64(42)
	next := func(n int) int {
		r = r*6364136223846793005 + 1442695040888963407
		return int((r >> 33) % uint64(n))
	}
	users := []string{"alice", "bob", "carol", "dave", "erin", "frank"}
	paths := []string{"/api/v1/orders", "/api/v1/users", "/healthz", "/static/app.js", "/login"}
	at := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
	for i := 0; len(buf) < size; i++ {
		at = at.Add(time.Duration(next(900)) * time.Millisecond)
		ts := at.Format("2006-01-02T15:04:05.000Z")
		switch k := next(100); {
		case k < 40:
			buf = fmt.Appendf(buf, "%s INFO http request method=GET path=%s status=%d bytes=%d duration=%dms client=10.%d.%d.%d\n",
				ts, paths[next(len(paths))], 200+next(2)*4, next(50000), next(900), next(255), next(255), next(255))
		case k < 60:
			buf = fmt.Appendf(buf, "%s INFO [worker-%d] processed job %08x for user %s in %d.%03ds\n",
				ts, next(16), next(1<<30), users[next(len(users))], next(5), next(1000))
		case k < 72:
			buf = fmt.Appendf(buf, "%s DEBUG cache hit key=session:%d ttl=%ds\n", ts, next(100000), next(3600))
		case k < 80:
			buf = fmt.Appendf(buf, "%s level=info msg=\"checkpoint written\" segment=%d lsn=%X/%X\n", ts, next(9999), next(255), next(1<<28))
		case k < 88:
			buf = fmt.Appendf(buf, "%s WARN slow query took %dms on table %s rows=%d\n", ts, 500+next(5000), users[next(len(users))]+"_events", next(100000))
		case k < 94:
			buf = fmt.Appendf(buf, "%s ERROR upstream %d.%d.%d.%d:%d timed out after %ds request_id=%08x-%04x-4%03x-a%03x-%012x\n",
				ts, next(255), next(255), next(255), next(255), 8000+next(100), next(30), next(1<<30), next(1<<16), next(4096), next(4096), next(1<<40))
		case k < 96:
			buf = fmt.Appendf(buf, "%s ERROR [main] request failed\njava.lang.IllegalStateException: order %d in bad state\n"+
				"\tat com.acme.orders.Order.check(Order.java:%d)\n\tat com.acme.orders.Service.handle(Service.java:88)\n"+
				"\tat java.base/java.lang.Thread.run(Thread.java:1583)\nCaused by: java.io.IOException: closed\n\t... 3 more\n", ts, next(1e6), 10+next(3))
		case k < 98:
			buf = fmt.Appendf(buf, "%s ERROR worker crashed\nTraceback (most recent call last):\n  File \"/app/worker.py\", line %d, in run\n"+
				"    process(item)\n  File \"/app/worker.py\", line 40, in process\n    raise KeyError(key)\nKeyError: 'item-%d'\n", ts, 100+next(5), next(1000))
		case k < 99:
			buf = fmt.Appendf(buf, "panic: runtime error: invalid memory address or nil pointer dereference\n"+
				"[signal SIGSEGV: segmentation violation code=0x1 addr=0x%x pc=0x%x]\n\ngoroutine %d [running]:\n"+
				"main.(*Server).handle(0x0, 0xc000010000)\n\t/src/server.go:%d +0x1d\nmain.main()\n\t/src/main.go:12 +0x25\n\n", next(1<<20), next(1<<24), next(500), 40+next(4))
		default:
			buf = fmt.Appendf(buf, "%s INFO heartbeat from node-%d.cluster.local uptime=%dh%dm\n", ts, next(12), next(100), next(60))
		}
	}
	return buf
}

// BenchmarkMiner mines a generated 64 MiB log; b.SetBytes makes the result MB/s.
func BenchmarkMiner(b *testing.B) {
	log := benchLog(64 << 20)
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	b.ResetTimer()
	var d Digest
	for range b.N {
		m := NewMiner()
		for p := log; len(p) > 0; {
			n := min(len(p), 256<<10)
			m.Write(p[:n])
			p = p[n:]
		}
		d = m.Digest()
	}
	b.StopTimer()
	b.ReportMetric(float64(len(d.Templates)), "templates")
	if len(d.Templates) == 0 || d.Templates[0].Level != LevelError {
		b.Fatalf("digest:\n%s", Render(d, 4000))
	}
}

// TestBenchLogDigest checks the digest of a small generated log: few templates, errors
// and stack traces first.
func TestBenchLogDigest(t *testing.T) {
	d := mineText(string(benchLog(1 << 20)))
	if len(d.Templates) > 60 || d.Other != 0 {
		t.Errorf("%d templates, %d other:\n%s", len(d.Templates), d.Other, Render(d, 0))
	}
	traces := 0
	for i, tp := range d.Templates {
		if tp.Kind == KindStackTrace {
			traces++
		}
		if i > 0 && tp.Level.rank() < d.Templates[i-1].Level.rank() {
			t.Errorf("template %d out of order", i)
		}
	}
	if traces < 3 {
		t.Errorf("%d stack traces:\n%s", traces, Render(d, 0))
	}
	t.Log(Render(d, 6000))
}
