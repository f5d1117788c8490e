package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"tftsr/blob"
)

// services are the test services the drill runs against, from the environment that
// scripts/test.sh exports.
type services struct {
	AdminDatabaseURL string // TEST_DATABASE_URL: a server where the drill may create a database
	S3Endpoint       string
	S3AccessKey      string
	S3SecretKey      string
	ChromePath       string
}

func servicesFromEnv(getenv func(string) string) (services, error) {
	s := services{
		AdminDatabaseURL: getenv("TEST_DATABASE_URL"),
		S3Endpoint:       getenv("TEST_S3_ENDPOINT"),
		S3AccessKey:      getenv("TEST_S3_ACCESS_KEY"),
		S3SecretKey:      getenv("TEST_S3_SECRET_KEY"),
		ChromePath:       getenv("TEST_CHROME_PATH"),
	}
	var missing []string
	for name, v := range map[string]string{"TEST_DATABASE_URL": s.AdminDatabaseURL, "TEST_S3_ENDPOINT": s.S3Endpoint,
		"TEST_S3_ACCESS_KEY": s.S3AccessKey, "TEST_S3_SECRET_KEY": s.S3SecretKey} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return s, fmt.Errorf("%s not set: run it as `make soak`, which starts the test services", strings.Join(missing, ", "))
	}
	if s.ChromePath == "" {
		s.ChromePath = "/usr/bin/chromium"
	}
	return s, nil
}

// portal is a `tftsr serve` subprocess on a database and a bucket of its own.
type portal struct {
	URL           string
	AdminPassword string
	binary        string
	env           []string
	cmd           *exec.Cmd
	done          chan error
	log           *tailBuffer
}

// tailBuffer keeps the last bytes the portal logged, to show when something fails.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > 64<<10 {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-32<<10:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// lines returns the logged lines that contain any of the words.
func (b *tailBuffer) lines(words ...string) []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// cleanup is a list of undo steps, run last first.
type cleanup struct {
	mu    sync.Mutex
	steps []func()
}

func (c *cleanup) add(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.steps = append(c.steps, f)
}

func (c *cleanup) run() {
	c.mu.Lock()
	steps := c.steps
	c.steps = nil
	c.mu.Unlock()
	for i := len(steps) - 1; i >= 0; i-- {
		steps[i]()
	}
}

// buildPortal builds cmd/tftsr into dir and returns the binary's path.
func buildPortal(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "tftsr")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "tftsr/cmd/tftsr")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building tftsr: %w", err)
	}
	return bin, nil
}

// newDatabase creates an empty database on the admin URL's server; drop removes it.
func newDatabase(ctx context.Context, adminURL, name string) (url string, drop func() error, err error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connecting to TEST_DATABASE_URL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("creating database %s: %w", name, err)
	}
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		return "", nil, err
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	userInfo := cfg.User
	if cfg.Password != "" {
		userInfo += ":" + cfg.Password
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", userInfo, cfg.Host, cfg.Port, name), drop, nil
}

// removeBucket empties and removes the drill's bucket.
func removeBucket(svc services, bucket string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := blob.Open(blob.Config{Endpoint: svc.S3Endpoint, AccessKey: svc.S3AccessKey, SecretKey: svc.S3SecretKey, Bucket: bucket})
	if err != nil {
		return err
	}
	if err := s.EnsureBucket(ctx); err != nil {
		return err
	}
	if err := s.DeletePrefix(ctx, ""); err != nil {
		return err
	}
	return s.RemoveBucket(ctx)
}

// startPortal runs `tftsr serve` on a loopback port with env and waits until it serves.
func startPortal(ctx context.Context, binary string, env []string) (*portal, error) {
	p := &portal{binary: binary, env: env, done: make(chan error, 1), log: &tailBuffer{}}
	p.cmd = exec.Command(binary, "serve", "--addr", "127.0.0.1:0")
	p.cmd.Env = env
	// Its own process group: a Ctrl-C reaches the drill, which stops the portal itself, after
	// the requests in flight.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.Stderr = p.log
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting tftsr serve: %w", err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		p.done <- p.cmd.Wait()
	}()
	password := regexp.MustCompile(`password:\s+(\S+)`)
	timeout := time.NewTimer(2 * time.Minute)
	defer timeout.Stop()
	for p.URL == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				return nil, fmt.Errorf("tftsr serve stopped before serving:\n%s", p.log.String())
			}
			if m := password.FindStringSubmatch(line); m != nil {
				p.AdminPassword = m[1]
			}
			if u, ok := strings.CutPrefix(line, "TFTSR is serving on "); ok {
				p.URL = u
			}
		case <-timeout.C:
			p.stop()
			return nil, errors.New("tftsr serve did not start within 2 minutes")
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		}
	}
	go func() {
		for range lines {
		}
	}()
	if p.AdminPassword == "" {
		p.stop()
		return nil, errors.New("tftsr serve printed no first admin password")
	}
	return p, nil
}

// stop asks the portal to shut down (SIGTERM), and kills it when it has not within 20 s.
func (p *portal) stop() error {
	if p.cmd.Process == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		err := <-p.done
		p.done <- err
		return fmt.Errorf("tftsr serve did not stop within 20 s and was killed: %v", err)
	}
}

// command runs another tftsr command with the portal's settings and returns its output.
func (p *portal) command(ctx context.Context, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, p.binary, args...)
	cmd.Env = p.env
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("tftsr %s: %w: %s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}

// randomKey is a fresh TFTSR_DB_KEY.
func randomKey() string {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}
