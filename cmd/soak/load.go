package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The load benchmark (`make bench-load`, the -load flag): the pages a team opens most, measured
// from outside with wrk and a signed-in session cookie, first on a small database and then on a
// large one (a few years of a large IT department), so that what a page costs can be compared
// with what the tables hold.

// loadPages are the measured pages.
var loadPages = []struct{ name, path string }{
	{"/issues", "/issues"},
	{"/issues filtered", "/issues?status=open&severity=high"},
	{"/issues oldest first", "/issues?sort=created_at&order=asc"},
	{"/issues page 500", "/issues?page=500"},
	{"/ (dashboard)", "/"},
	{"/search", "/search?q=kafka+lag"},
	{"/api/v1/issues", "/api/v1/issues"},
}

// loadSizes are the databases measured: incidents, timeline events and log files.
type loadSize struct{ incidents, events, logs int }

// wrkResult is what wrk measured of one page.
type wrkResult struct {
	rps           float64
	p50, p99      time.Duration
	errors, total int
}

// runLoad seeds the database in two steps and measures every page with wrk after each.
func runLoad(ctx context.Context, o options, dbURL, base string, b *browser, token string, stdout io.Writer, say func(string, ...any)) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not on the PATH (Debian: apt-get install wrk)")
	}
	u, _ := url.Parse(base)
	var cookies []string
	for _, c := range b.client.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)

	sizes := []loadSize{{100, 1000, 20}, {o.loadIncidents, o.loadIncidents * 10, o.loadIncidents / 5}}
	results := make([][]wrkResult, len(sizes))
	have := loadSize{}
	for i, size := range sizes {
		say("seeding up to %d incidents, %d timeline events, %d log files", size.incidents, size.events, size.logs)
		start := time.Now()
		if err := seedLoad(ctx, conn, have, size); err != nil {
			return fmt.Errorf("seeding: %w", err)
		}
		have = size
		say("seeded in %s", time.Since(start).Round(time.Second))
		for _, pg := range loadPages {
			header := "Cookie: " + strings.Join(cookies, "; ")
			if strings.HasPrefix(pg.path, "/api/") {
				header = "Authorization: Bearer " + token
			}
			say("wrk %s at %d incidents", pg.path, size.incidents)
			r, err := runWrk(ctx, base+pg.path, header, o.loadConns, o.loadDuration)
			if err != nil {
				return fmt.Errorf("%s: %w", pg.path, err)
			}
			results[i] = append(results[i], r)
		}
	}

	fmt.Fprintf(stdout, "\n## TFTSR load: wrk -t2 -c%d -d%s per page, signed in; the portal and wrk on the same machine\n\n", o.loadConns, o.loadDuration)
	fmt.Fprintf(stdout, "| page | at %d incidents | at %d incidents (%d events, %d logs) | ratio |\n| --- | --- | --- | ---: |\n",
		sizes[0].incidents, sizes[1].incidents, sizes[1].events, sizes[1].logs)
	for j, pg := range loadPages {
		small, large := results[0][j], results[1][j]
		fmt.Fprintf(stdout, "| `%s` | %s | %s | %.2f× |\n", pg.name, small, large, small.rps/max(large.rps, 0.01))
	}
	return nil
}

func (r wrkResult) String() string {
	s := fmt.Sprintf("%.0f req/s, p50 %s, p99 %s", r.rps, r.p50.Round(100*time.Microsecond), r.p99.Round(100*time.Microsecond))
	if r.errors > 0 {
		s += fmt.Sprintf(", **%d of %d failed**", r.errors, r.total)
	}
	return s
}

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkPct     = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	wrkTotal   = regexp.MustCompile(`(\d+) requests in`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSockErr = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// runWrk measures one page and reads wrk's report.
func runWrk(ctx context.Context, target, header string, conns int, d time.Duration) (wrkResult, error) {
	out, err := exec.CommandContext(ctx, "wrk", "-t2", "-c"+strconv.Itoa(conns), "-d"+d.String(), "--latency", "-H", header, target).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	return parseWrk(string(out))
}

func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	m := wrkRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk's output:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	for _, m := range wrkPct.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[3]]
		d := time.Duration(v * float64(unit))
		if m[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if m := wrkTotal.FindStringSubmatch(out); m != nil {
		r.total, _ = strconv.Atoi(m[1])
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		r.errors, _ = strconv.Atoi(m[1])
	}
	if m := wrkSockErr.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.Atoi(s)
			r.errors += n
		}
	}
	return r, nil
}

// seedLoad tops the database up from have to want, in SQL: incidents of every status, severity
// and category over three years with searchable titles, ten timeline events each and log files
// (rows only: the pages measured list logs, they do not read them).
func seedLoad(ctx context.Context, conn *pgx.Conn, have, want loadSize) error {
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO issues (id, title, description, severity, category, status, created_at, updated_at, resolved_at)
		SELECT gen_random_uuid(),
			(ARRAY['Kafka lag on orders consumer', 'Disk full on mail', 'Checkout latency spike', 'VPN flapping in Berlin office',
			       'Certificate expired on api gateway', 'Database failover', 'DNS resolution failures', 'Printer queue stuck'])[1 + g % 8] || ' #' || g,
			'Seeded incident ' || g || E'.\n\nSymptoms: timeouts, retries, alerts from the monitoring.',
			(ARRAY['critical', 'high', 'medium', 'low'])[1 + (g * 7) % 4],
			(ARRAY['general', 'linux', 'network', 'kubernetes', 'databases', 'application', 'security'])[1 + (g * 3) % 7],
			(ARRAY['open', 'triaging', 'investigating', 'resolved', 'closed', 'closed', 'closed', 'resolved'])[1 + (g * 5) % 8],
			now() - (g % 1095) * interval '1 day' - (g % 1440) * interval '1 minute',
			now() - (g % 1095) * interval '1 day' + interval '2 hours',
			CASE WHEN (g * 5) % 8 IN (3, 4, 5, 6, 7) THEN now() - (g % 1095) * interval '1 day' + interval '5 hours' END
		FROM generate_series($1::int + 1, $2::int) g`, []any{have.incidents, want.incidents}},
		{`INSERT INTO timeline_events (id, issue_id, event_type, description, metadata, created_at)
		SELECT gen_random_uuid(), i.id, (ARRAY['note', 'status_changed', 'observation', 'action', 'decision'])[1 + k % 5],
			'Seeded event ' || k, '{}', i.created_at + k * interval '7 minutes'
		FROM (SELECT id, created_at FROM issues ORDER BY number OFFSET $1::int LIMIT $2::int) i,
			generate_series(1, $3::int) k`, []any{have.incidents, want.incidents - have.incidents, want.events / max(want.incidents, 1)}},
		{`INSERT INTO log_files (id, issue_id, file_name, size_bytes, mime_type, content_hash, object_key, uploaded_at, search_text)
		SELECT gen_random_uuid(), i.id, 'app-' || i.number || '.log', 1024 * (1 + i.number % 500), 'text/plain',
			md5(i.id::text), 'seed/' || i.id || '.log', i.created_at + interval '10 minutes',
			'2026-11-03T08:00:00Z ERROR consumer lag ' || i.number
		FROM (SELECT id, number, created_at FROM issues ORDER BY number OFFSET $1::int LIMIT $2::int) i`,
			[]any{have.logs, want.logs - have.logs}},
		{`ANALYZE`, nil},
	}
	for _, st := range steps {
		if _, err := conn.Exec(ctx, st.sql, st.args...); err != nil {
			return err
		}
	}
	return nil
}
