//go:build drill

package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
)

// privateMinIO is a MinIO server of one drill's own, with the test MinIO's keys.
type privateMinIO struct {
	*process
	Endpoint             string
	AccessKey, SecretKey string
}

// startMinIO starts a MinIO server on a free port with its data in a temporary folder; it is
// stopped when the test ends. The binary is the one scripts/install.sh builds.
func startMinIO(t testing.TB) *privateMinIO {
	t.Helper()
	home, _ := os.UserHomeDir()
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		cache = filepath.Join(home, ".cache")
	}
	candidates := []string{os.Getenv("TFTSR_MINIO_BIN"), "../../.tools/bin/minio"}
	found, _ := filepath.Glob(filepath.Join(cache, "tftsr", "minio-v*"))
	sort.Sort(sort.Reverse(sort.StringSlice(found)))
	bin := requireBinary(t, "the MinIO server", append(candidates, found...)...)
	dir := serviceDir(t, nil)
	m := &privateMinIO{Endpoint: fmt.Sprintf("127.0.0.1:%d", freePort(t)), AccessKey: "drilladmin", SecretKey: "drill-secret-key"}
	m.process = &process{t: t, name: "minio", logPath: filepath.Join(dir, "minio.log"),
		argv: []string{bin, "server", filepath.Join(dir, "data"), "--address", m.Endpoint,
			"--console-address", fmt.Sprintf("127.0.0.1:%d", freePort(t))},
		env: []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "MINIO_ROOT_USER=" + m.AccessKey,
			"MINIO_ROOT_PASSWORD=" + m.SecretKey, "MINIO_BROWSER=off", "MINIO_UPDATE=off"},
	}
	m.ready = func() bool {
		resp, err := http.Get("http://" + m.Endpoint + "/minio/health/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	m.start()
	t.Cleanup(func() { m.stop(syscall.SIGTERM) })
	return m
}
