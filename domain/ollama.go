package domain

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// OllamaModel is a model installed on the Ollama server.
type OllamaModel struct {
	Name          string    `json:"name"`
	Size          int64     `json:"size"`
	ModifiedAt    time.Time `json:"modified_at"`
	Digest        string    `json:"digest"`
	ParameterSize string    `json:"parameter_size,omitempty"`
	Quantization  string    `json:"quantization,omitempty"`
}

// OllamaStatus says whether the configured Ollama server answers, and which version it runs.
// Error is the reason it is not reachable.
type OllamaStatus struct {
	URL       string `json:"url"`
	Reachable bool   `json:"reachable"`
	Version   string `json:"version"`
	Error     string `json:"error,omitempty"`
}

// OllamaPullLine is one progress line of Ollama's pull stream, as Ollama sent it.
type OllamaPullLine struct {
	Status    string
	Digest    string
	Total     int64
	Completed int64
}

// OllamaPullProgress is the progress of a model pull. Total and Completed are bytes summed over
// every layer seen so far, Digest is the layer the line is about, and Percent (0–100) is
// Completed over Total; it is 100 once Ollama reports success.
type OllamaPullProgress struct {
	Status    string `json:"status"`
	Digest    string `json:"digest,omitempty"`
	Total     int64  `json:"total"`
	Completed int64  `json:"completed"`
	Percent   int    `json:"percent"`
}

// OllamaPullSuccess is the status of the last line of a pull that finished.
const OllamaPullSuccess = "success"

// OllamaClient speaks Ollama's HTTP API at baseURL. Failures are domain errors: EUNAVAILABLE when
// the server cannot be reached or is not Ollama, ENOTFOUND for an unknown model.
type OllamaClient interface {
	// Version returns the server's version from GET /api/version.
	Version(ctx context.Context, baseURL string) (string, error)
	// Models lists the installed models from GET /api/tags.
	Models(ctx context.Context, baseURL string) ([]OllamaModel, error)
	// Pull downloads a model through POST /api/pull, calling onLine for each progress line. It
	// returns nil only after Ollama reported success.
	Pull(ctx context.Context, baseURL, name string, onLine func(OllamaPullLine) error) error
	// Delete removes a model through DELETE /api/delete.
	Delete(ctx context.Context, baseURL, name string) error
}

// AuditRecorder appends an audit entry for an action that changes something outside the
// portal's own tables, such as the models of the Ollama server.
type AuditRecorder interface {
	RecordAudit(ctx context.Context, action, entityType, entityID string, details any) error
}

// MaxOllamaModelNameLen caps the length of a model name, in bytes.
const MaxOllamaModelNameLen = 200

// ollamaModelName matches [host/][namespace/]model[:tag]: path segments and a tag made of
// letters, digits, '.', '_' and '-', each starting with a letter or digit.
var ollamaModelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*(:[A-Za-z0-9][A-Za-z0-9._-]*)?$`)

// ValidateOllamaModelName returns a message about what is wrong with a model name such as
// "llama3.2:3b" or "namespace/model:tag", or "" when it is acceptable.
func ValidateOllamaModelName(name string) string {
	switch {
	case name == "":
		return "Enter a model name, for example llama3.2:3b."
	case len(name) > MaxOllamaModelNameLen:
		return "The model name is too long (at most 200 bytes)."
	case strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "The model name must not contain spaces or control characters."
	case strings.Contains(name, ".."):
		return "The model name must not contain \"..\"."
	case !ollamaModelName.MatchString(name):
		return "Use a name like llama3.2:3b or namespace/model:tag: letters, digits, '.', '_', '-', '/' and one ':' before the tag."
	}
	return ""
}

// InstallGuide tells how to install Ollama on a platform.
type InstallGuide struct {
	Platform string   `json:"platform"`
	URL      string   `json:"url"`
	Steps    []string `json:"steps"`
}

// OllamaDownloadURL is Ollama's download page.
const OllamaDownloadURL = "https://ollama.com/download"

// InstallPlatforms lists the platforms an install guide exists for.
var InstallPlatforms = []string{"linux", "macos", "windows"}

// OllamaInstallGuide returns the install guide for platform: linux, macos or windows.
func OllamaInstallGuide(platform string) (InstallGuide, error) {
	pull := "Download a first model, for example: ollama pull llama3.2:3b"
	point := "Enter the server's address as the Ollama URL on this page (for example http://ollama-host:11434) and refresh the status."
	switch platform {
	case "linux":
		return InstallGuide{Platform: platform, URL: OllamaDownloadURL + "/linux", Steps: []string{
			"On the machine that will run the models, open a terminal.",
			"Install Ollama with its install script: curl -fsSL https://ollama.com/install.sh | sh",
			"The script registers a systemd service; check that it runs: systemctl status ollama",
			"Ollama listens only on 127.0.0.1 by default. If the portal runs on another machine, add Environment=\"OLLAMA_HOST=0.0.0.0:11434\" with systemctl edit ollama, then systemctl restart ollama, and allow port 11434 from the portal's host only.",
			pull,
			point,
		}}, nil
	case "macos":
		return InstallGuide{Platform: platform, URL: OllamaDownloadURL + "/mac", Steps: []string{
			"Download Ollama for macOS from " + OllamaDownloadURL + "/mac.",
			"Open the downloaded archive and move Ollama to the Applications folder.",
			"Start Ollama from Applications; it runs in the menu bar and installs the ollama command.",
			"If the portal runs on another machine, run launchctl setenv OLLAMA_HOST 0.0.0.0:11434 in a terminal and restart Ollama.",
			pull,
			point,
		}}, nil
	case "windows":
		return InstallGuide{Platform: platform, URL: OllamaDownloadURL + "/windows", Steps: []string{
			"Download OllamaSetup.exe from " + OllamaDownloadURL + "/windows.",
			"Run the installer; Ollama starts in the notification area and installs the ollama command.",
			"If the portal runs on another machine, set the user environment variable OLLAMA_HOST to 0.0.0.0:11434, restart Ollama and allow port 11434 in Windows Defender Firewall for the portal's host.",
			"Open PowerShell and " + strings.ToLower(pull[:1]) + pull[1:],
			point,
		}}, nil
	}
	return InstallGuide{}, Errorf(EINVALID, "Unknown platform %q: choose one of %s.", platform, strings.Join(InstallPlatforms, ", "))
}

// OllamaService administers the Ollama server whose URL is the team setting ollama_url: its
// status, its models (list, pull, delete), and the hardware report and model recommendations of
// the portal's host. Everything is for admins only; pulls and deletes are audited, and a URL
// change is audited as a settings change.
type OllamaService struct {
	settings SettingsService
	client   OllamaClient
	hardware HardwareProbe
	audit    AuditRecorder
}

// URL returns the configured Ollama URL. Only admins may read it here.
func (s *OllamaService) URL(ctx context.Context) (string, error) {
	if err := Require(ctx, RoleAdmin); err != nil {
		return "", err
	}
	st, err := s.settings.GetSettings(ctx)
	if err != nil {
		return "", err
	}
	return st.OllamaURL, nil
}

// SetURL changes the Ollama URL. The settings service validates, stores and audits it.
func (s *OllamaService) SetURL(ctx context.Context, url string) (string, error) {
	if err := Require(ctx, RoleAdmin); err != nil {
		return "", err
	}
	st, err := s.settings.UpdateSettings(ctx, SettingsUpdate{OllamaURL: &url})
	if err != nil {
		return "", err
	}
	return st.OllamaURL, nil
}

// Status asks the configured server for its version. An unreachable server is not an error:
// the status says why.
func (s *OllamaService) Status(ctx context.Context) (*OllamaStatus, error) {
	url, err := s.URL(ctx)
	if err != nil {
		return nil, err
	}
	st := &OllamaStatus{URL: url}
	v, err := s.client.Version(ctx, url)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		st.Error = ErrorMessage(err)
		return st, nil
	}
	st.Reachable, st.Version = true, v
	return st, nil
}

// InstallGuide returns the install guide for platform.
func (s *OllamaService) InstallGuide(ctx context.Context, platform string) (InstallGuide, error) {
	if err := Require(ctx, RoleAdmin); err != nil {
		return InstallGuide{}, err
	}
	return OllamaInstallGuide(platform)
}

// Models lists the models installed on the configured server.
func (s *OllamaService) Models(ctx context.Context) ([]OllamaModel, error) {
	url, err := s.URL(ctx)
	if err != nil {
		return nil, err
	}
	models, err := s.client.Models(ctx, url)
	if err != nil {
		return nil, err
	}
	if models == nil {
		models = []OllamaModel{}
	}
	return models, nil
}

// Pull downloads model name onto the configured server, calling onProgress for each progress
// line (the last one, on success, at 100 percent). The attempt is audited with its outcome,
// even when the caller went away.
func (s *OllamaService) Pull(ctx context.Context, name string, onProgress func(OllamaPullProgress) error) error {
	url, err := s.URL(ctx)
	if err != nil {
		return err
	}
	if msg := ValidateOllamaModelName(name); msg != "" {
		return Errorf(EINVALID, "%s", msg)
	}
	var t PullTracker
	err = s.client.Pull(ctx, url, name, func(l OllamaPullLine) error {
		p := t.Add(l)
		if onProgress != nil {
			return onProgress(p)
		}
		return nil
	})
	details := map[string]any{"url": url, "outcome": "success"}
	switch {
	case err == nil:
	case ctx.Err() != nil:
		details["outcome"] = "canceled"
	default:
		details["outcome"] = "failed"
		details["error"] = ErrorMessage(err)
	}
	if aerr := s.audit.RecordAudit(context.WithoutCancel(ctx), "ollama.model_pull", "ollama_model", name, details); aerr != nil && err == nil {
		return aerr
	}
	return err
}

// Delete removes model name from the configured server and audits it.
func (s *OllamaService) Delete(ctx context.Context, name string) error {
	url, err := s.URL(ctx)
	if err != nil {
		return err
	}
	if msg := ValidateOllamaModelName(name); msg != "" {
		return Errorf(EINVALID, "%s", msg)
	}
	if err := s.client.Delete(ctx, url, name); err != nil {
		return err
	}
	return s.audit.RecordAudit(context.WithoutCancel(ctx), "ollama.model_delete", "ollama_model", name, map[string]any{"url": url})
}

// PullTracker sums the progress of a pull over its layers.
type PullTracker struct {
	layers map[string][2]int64 // digest → total, completed
	done   bool
}

// Add records line l and returns the progress so far.
func (t *PullTracker) Add(l OllamaPullLine) OllamaPullProgress {
	if t.layers == nil {
		t.layers = map[string][2]int64{}
	}
	if l.Digest != "" && l.Total > 0 {
		c := min(max(l.Completed, 0), l.Total)
		t.layers[l.Digest] = [2]int64{l.Total, c}
	}
	var total, completed int64
	for _, v := range t.layers {
		total += v[0]
		completed += v[1]
	}
	if l.Status == OllamaPullSuccess {
		t.done = true
	}
	p := OllamaPullProgress{Status: l.Status, Digest: l.Digest, Total: total, Completed: completed}
	switch {
	case t.done:
		p.Percent = 100
	case total > 0:
		p.Percent = int(completed * 100 / total)
	}
	return p
}
