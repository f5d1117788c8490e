package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The fault drills break the services under a running portal. They never touch the shared test
// services (other tests use them at the same time): each drill that stops a service starts a
// private one of its own, on a free port, with its data in a temporary folder, and can stop and
// start it again on the same port and data.

// requireBinary returns the first of paths that is an executable file, or skips the test with
// what is missing; under TFTSR_REQUIRE_INTEGRATION=1 it fails it instead.
func requireBinary(t testing.TB, what string, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	if os.Getenv("TFTSR_REQUIRE_INTEGRATION") == "1" {
		t.Fatalf("%s not found (looked in %v)", what, paths)
	}
	t.Skipf("%s not found (looked in %v); `make services` installs it", what, paths)
	return ""
}

// freePort returns a loopback port that nothing listens on just now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// serviceDir makes a folder that a service running as another user can use, removed when the
// test ends. t.TempDir's folders are private to root.
func serviceDir(t testing.TB, owner *syscall.Credential) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tftsr-drill-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if owner != nil {
		if err := os.Chown(dir, int(owner.Uid), int(owner.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// process is a service's server process that the drill can stop and start again.
type process struct {
	t       testing.TB
	name    string
	cred    *syscall.Credential
	argv    []string
	env     []string
	logPath string
	ready   func() bool
	cmd     *exec.Cmd
	exited  chan struct{}
}

// start runs the server and waits until it is ready.
func (p *process) start() {
	p.t.Helper()
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Env, cmd.Stdout, cmd.Stderr, cmd.Dir = p.env, log, log, "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred, Setpgid: true}
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("starting %s: %v", p.name, err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	go func(done chan struct{}) { cmd.Wait(); close(done) }(p.exited)
	deadline := time.Now().Add(time.Minute)
	for !p.ready() {
		select {
		case <-p.exited:
			b, _ := os.ReadFile(p.logPath)
			p.t.Fatalf("%s exited while starting: %s", p.name, b)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(p.logPath)
			p.t.Fatalf("%s not ready within a minute: %s", p.name, b)
		}
	}
}

// stop sends sig to the server and waits for it to exit.
func (p *process) stop(sig syscall.Signal) {
	p.t.Helper()
	if p.cmd == nil {
		return
	}
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(sig)
		select {
		case <-p.exited:
		case <-time.After(time.Minute):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	}
	p.cmd = nil
}

// privatePostgres is a PostgreSQL server of one drill's own.
type privatePostgres struct {
	*process
	Port int
}

// DSN is the URL of its postgres database.
func (pg *privatePostgres) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", pg.Port)
}

// startPostgres makes a cluster (trust authentication, fsync off) in a temporary folder and
// starts it on a free port; it is stopped when the test ends. As root the server runs as the
// postgres user, since PostgreSQL refuses to run as root.
func startPostgres(t testing.TB) *privatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	sort.Slice(bins, func(i, j int) bool { return pgMajor(bins[i]) > pgMajor(bins[j]) })
	postgres := requireBinary(t, "PostgreSQL server binaries", bins...)
	bin := filepath.Dir(postgres)
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("PostgreSQL refuses root, and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	dir := serviceDir(t, cred)
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C.UTF-8", "--no-sync")
	initdb.Dir = "/"
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	pg := &privatePostgres{Port: freePort(t)}
	pg.process = &process{t: t, name: "postgres", cred: cred, logPath: filepath.Join(dir, "postgres.log"),
		argv: []string{postgres, "-D", data, "-p", strconv.Itoa(pg.Port), "-k", dir, "-c", "listen_addresses=127.0.0.1",
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=50"},
		env: []string{"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8"},
	}
	pg.ready = func() bool {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", pg.Port), time.Second)
		if err != nil {
			return false
		}
		c.Close()
		out, err := exec.Command(filepath.Join(bin, "pg_isready"), "-h", "127.0.0.1", "-p", strconv.Itoa(pg.Port), "-q").CombinedOutput()
		_ = out
		return err == nil
	}
	pg.start()
	t.Cleanup(func() { pg.stop(syscall.SIGINT) })
	return pg
}

// pgMajor is the major version in a path /usr/lib/postgresql/N/bin/postgres.
func pgMajor(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

// waitUntil polls cond every 50 ms until it holds or ctx ends.
func waitUntil(ctx context.Context, cond func() bool) bool {
	for !cond() {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
	return true
}
