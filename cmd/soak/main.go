// Command soak is TFTSR's soak drill: it runs the real portal (`tftsr serve`, built from this
// checkout) on a fresh database and bucket of the test services, with an OpenAI-compatible fake
// provider on loopback, signs in many sessions as browsers do, and has them work for a while
// the way a team does (list, open, search, timeline notes, whys, log uploads, chat, PDF
// exports). Then it checks that every write the portal acknowledged is stored exactly once and
// that the audit chain verifies, prints a table of requests per second and latencies per route,
// and stops everything it started.
//
//	make soak                                  # 200 sessions for 60 s
//	scripts/test.sh go run ./cmd/soak -c 20 -d 10s
//
// It exits 1 when a request failed, a write is missing or stored twice, or the audit chain does
// not verify. It reads the test services from TEST_DATABASE_URL, TEST_S3_ENDPOINT,
// TEST_S3_ACCESS_KEY, TEST_S3_SECRET_KEY and TEST_CHROME_PATH, which scripts/test.sh exports.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"tftsr/blob"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// options are the drill's flags.
type options struct {
	sessions  int
	users     int
	duration  time.Duration
	think     time.Duration
	incidents int
	documents int
	tokenGap  time.Duration
	binary    string
	keep      bool
	weights   string
	pool      int
	// The load benchmark (-load): incidents of the large database, wrk's connections and time.
	load          bool
	loadIncidents int
	loadConns     int
	loadDuration  time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.sessions, "c", 200, "concurrent signed-in sessions")
	fs.IntVar(&o.users, "users", 20, "responder accounts the sessions sign in as")
	fs.DurationVar(&o.duration, "d", 60*time.Second, "how long the sessions work")
	fs.DurationVar(&o.think, "think", time.Second, "mean pause of a session before each action (uniform from 0 to twice this); 0 for a stress run with no pauses")
	fs.IntVar(&o.incidents, "incidents", 300, "incidents seeded before the run")
	fs.IntVar(&o.documents, "documents", 10, "RCAs seeded before the run, which sessions export as PDF")
	fs.DurationVar(&o.tokenGap, "token-gap", 2*time.Millisecond, "pause of the fake provider between two streamed tokens")
	fs.StringVar(&o.binary, "tftsr", "", "a tftsr binary to run instead of building ./cmd/tftsr")
	fs.StringVar(&o.weights, "weights", "", "change the mix: name=weight,... (weight 0 leaves an action out), of "+mixString())
	fs.IntVar(&o.pool, "pool", 0, "pool_max_conns of the portal's database URL (0: pgx's default, the larger of 4 and the CPUs)")
	fs.BoolVar(&o.load, "load", false, "instead of the soak, the load benchmark: seed a small and then a large database and measure the main pages with wrk")
	fs.IntVar(&o.loadIncidents, "load-incidents", 100_000, "incidents of the load benchmark's large database (10 timeline events each, a log file per 5)")
	fs.IntVar(&o.loadConns, "load-c", 32, "wrk connections of the load benchmark")
	fs.DurationVar(&o.loadDuration, "load-d", 10*time.Second, "wrk duration per page of the load benchmark")
	fs.BoolVar(&o.keep, "keep", false, "leave the database and the bucket in place afterwards, to look at")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.sessions < 1 || o.users < 1 || o.duration <= 0 || o.incidents < 1 || o.documents < 0 {
		return o, errors.New("-c, -users, -d and -incidents must be positive")
	}
	return o, setWeights(o.weights)
}

// runID is a short lower-case id of the run, in every database, bucket and marker it makes.
func runID() string {
	return strings.ToLower(rand.Text()[:8])
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	svc, err := servicesFromEnv(getenv)
	if err != nil {
		return err
	}
	say := func(format string, a ...any) { fmt.Fprintf(stderr, "soak: "+format+"\n", a...) }
	var undo cleanup
	defer undo.run()

	id := runID()
	dir, err := os.MkdirTemp("", "tftsr-soak-")
	if err != nil {
		return err
	}
	undo.add(func() { os.RemoveAll(dir) })
	binary := o.binary
	if binary == "" {
		say("building tftsr")
		if binary, err = buildPortal(ctx, dir); err != nil {
			return err
		}
	}

	dbName := "tftsr_soak_" + id
	dbURL, drop, err := newDatabase(ctx, svc.AdminDatabaseURL, dbName)
	if err != nil {
		return err
	}
	bucket := "tftsr-soak-" + id
	if o.keep {
		undo.add(func() { say("kept database %s and bucket %s", dbName, bucket) })
	} else {
		undo.add(func() {
			if err := drop(); err != nil {
				say("dropping database %s: %v", dbName, err)
			}
		})
		undo.add(func() {
			if err := removeBucket(svc, bucket); err != nil {
				say("removing bucket %s: %v", bucket, err)
			}
		})
	}

	fake, err := startFakeProvider(o.tokenGap)
	if err != nil {
		return err
	}
	undo.add(fake.close)

	portalDB := dbURL
	if o.pool > 0 {
		portalDB += fmt.Sprintf("&pool_max_conns=%d", o.pool)
	}
	env := append(os.Environ(),
		"DATABASE_URL="+portalDB,
		"TFTSR_S3_ENDPOINT="+svc.S3Endpoint,
		"TFTSR_S3_ACCESS_KEY="+svc.S3AccessKey,
		"TFTSR_S3_SECRET_KEY="+svc.S3SecretKey,
		"TFTSR_S3_BUCKET="+bucket,
		"TFTSR_CHROME_PATH="+svc.ChromePath,
		"TFTSR_DB_KEY="+randomKey(),
		"TFTSR_DATA_DIR="+dir,
	)
	say("starting the portal on database %s, bucket %s", dbName, bucket)
	p, err := startPortal(ctx, binary, env)
	if err != nil {
		return err
	}
	stopped := false
	stopPortal := func() {
		if !stopped {
			stopped = true
			if err := p.stop(); err != nil {
				say("stopping the portal: %v", err)
			}
		}
	}
	undo.add(stopPortal)
	say("portal serving on %s", p.URL)

	transport := newTransport(o.sessions)
	setup := newRecorder()

	// The admin signs in, creates the responders; a token for the seeding script.
	admin := newBrowser(p.URL, transport, setup)
	if err := admin.signIn(ctx, "admin", p.AdminPassword); err != nil {
		return fmt.Errorf("signing in as admin: %w", err)
	}
	password := "soak-" + strings.ToLower(rand.Text())
	names := make([]string, o.users)
	for i := range names {
		names[i] = fmt.Sprintf("soak%02d", i+1)
	}
	if err := createUsers(ctx, admin, names, password); err != nil {
		return err
	}
	tok, err := p.command(ctx, nil, "token", "create", "--username", "admin", "--name", "soak")
	if err != nil {
		return err
	}
	a := &api{base: p.URL, token: strings.TrimSpace(tok), client: &http.Client{Transport: transport, Timeout: time.Minute}}
	if o.load {
		return runLoad(ctx, o, dbURL, p.URL, admin, a.token, stdout, say)
	}
	if err := a.call(ctx, http.MethodPut, "/api/v1/ai/configs/soak", map[string]any{
		"kind": "openai", "base_url": fake.URL + "/v1", "model": "gpt-soak", "api_key": "sk-soak-0123456789abcdef"}, nil); err != nil {
		return fmt.Errorf("configuring the fake provider: %w", err)
	}
	say("seeding %d incidents and %d RCAs", o.incidents, o.documents)
	issues, documents, err := seed(ctx, a, o.incidents, o.documents, 4)
	if err != nil {
		return err
	}

	// Every session signs in and opens an incident of its own.
	say("signing in %d sessions as %d responders", o.sessions, o.users)
	sh := &shared{run: id, issues: issues, documents: documents, ledger: newLedger(), think: o.think}
	users := make([]*user, o.sessions)
	setupErr := parallel(ctx, o.sessions, 8, func(i int) error {
		u := &user{n: i + 1, sh: sh, b: newBrowser(p.URL, transport, setup), r: mrand.New(mrand.NewPCG(uint64(i), uint64(len(id))))}
		if err := u.b.signIn(ctx, names[i%len(names)], password); err != nil {
			return err
		}
		if err := u.newIncident(ctx); err != nil {
			return err
		}
		users[i] = u
		return nil
	})
	if setupErr != nil {
		return fmt.Errorf("setting up the sessions: %w", setupErr)
	}

	// The timed run.
	rec := newRecorder()
	for _, u := range users {
		u.b.rec = rec
	}
	say("running %d sessions for %s (think time %s)", o.sessions, o.duration, o.think)
	cpuBefore := readProcs()
	start := time.Now()
	deadline := start.Add(o.duration)
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() { defer wg.Done(); u.loop(ctx, deadline) }()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpuUsed := cpuDelta(cpuBefore, readProcs(), p.cmd.Process.Pid, os.Getpid(), dbName)
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}

	// Stop the portal first, so that every reply it was writing is stored, then look.
	say("run over after %s; stopping the portal and verifying", elapsed.Round(time.Millisecond))
	stopPortal()
	routes, total := rec.summary()
	fmt.Fprintf(stdout, "\n## TFTSR soak: %d sessions (%d responders) for %s, think time %s, %d seeded incidents, pool_max_conns %s\n\nmix: %s\n\n",
		o.sessions, o.users, o.duration, o.think, len(issues), poolString(o.pool), mixString())
	writeTable(stdout, routes, total, elapsed)
	checks := rec.failedChecks()
	failedChecks := 0
	for _, n := range checks {
		failedChecks += n
	}
	fmt.Fprintf(stdout, "\nrequests: %d in %s = %.1f req/s; p99 %s ms; errors %d; failed checks %d\n",
		total.Count, elapsed.Round(time.Millisecond), float64(total.Count)/elapsed.Seconds(), ms(total.P99), total.Errors, failedChecks)
	if len(cpuBefore) > 0 {
		fmt.Fprintf(stdout, "CPU during the run: %s\n", formatCPU(cpuUsed, elapsed, runtime.NumCPU()))
	}
	writeErrors(stdout, rec)

	ok := total.Errors == 0 && failedChecks == 0
	vctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(vctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(vctx)
	found, err := findMarkers(vctx, conn, id)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	if !writeVerification(stdout, sh.ledger, found) {
		ok = false
	}
	replies, err := replyStatuses(vctx, conn)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "chat replies: %s\n", formatCounts(replies))
	if len(replies) > 1 || (len(replies) == 1 && replies["complete"] == 0) {
		ok = false
		unfinished, err := unfinishedReplies(vctx, conn)
		if err != nil {
			return err
		}
		for _, r := range unfinished {
			fmt.Fprintln(stdout, "  ", r)
		}
	}
	store, err := blob.Open(blob.Config{Endpoint: svc.S3Endpoint, AccessKey: svc.S3AccessKey, SecretKey: svc.S3SecretKey, Bucket: bucket})
	if err != nil {
		return err
	}
	missing, logs, err := missingLogObjects(vctx, conn, store)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "log objects: %d logs, %d without their object\n", logs, missing)
	if missing > 0 {
		ok = false
	}
	out, err := p.command(vctx, nil, "audit", "verify")
	fmt.Fprintf(stdout, "audit chain: %s\n", strings.TrimSpace(out))
	if err != nil {
		fmt.Fprintf(stdout, "audit chain: NOT verified: %v\n", err)
		ok = false
	}
	if logged := p.log.lines("level=ERROR", "level=WARN", "panic"); len(logged) > 0 {
		fmt.Fprintf(stdout, "portal logged %d errors and warnings; the first:\n", len(logged))
		for _, l := range logged[:min(5, len(logged))] {
			fmt.Fprintln(stdout, "  ", abbreviate(l, 400))
		}
	}
	if !ok {
		fmt.Fprintln(stdout, "\nresult: FAILED")
		return errors.New("the drill found errors, lost or duplicated writes, or a broken audit chain")
	}
	fmt.Fprintln(stdout, "\nresult: ok")
	return nil
}

// poolString names the portal's database pool size.
func poolString(n int) string {
	if n == 0 {
		return "default"
	}
	return fmt.Sprint(n)
}

// parallel runs f(0..n-1), workers at a time, and returns the first error.
func parallel(ctx context.Context, n, workers int, f func(i int) error) error {
	jobs := make(chan int)
	errc := make(chan error, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				errc <- f(i)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range n {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// formatCounts writes counts as "complete 120, error 1", by name.
func formatCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// writeErrors prints the first messages of each route's errors.
func writeErrors(w io.Writer, rec *recorder) {
	msgs := rec.errorMessages()
	if len(msgs) == 0 {
		return
	}
	keys := make([]string, 0, len(msgs))
	for k := range msgs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(w, "\nfirst errors:")
	for _, k := range keys {
		for _, m := range msgs[k] {
			fmt.Fprintf(w, "  %s: %s\n", k, m)
		}
	}
}
