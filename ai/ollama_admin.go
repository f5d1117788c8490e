package ai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"tftsr/domain"
)

// Default timeouts of the Ollama administration client.
const (
	// DefaultOllamaStatusTimeout bounds the version check, so a status page never hangs.
	DefaultOllamaStatusTimeout = 3 * time.Second
	// DefaultOllamaRequestTimeout bounds listing and deleting models.
	DefaultOllamaRequestTimeout = 10 * time.Second
	// DefaultOllamaPullHeaderTimeout bounds the wait for a pull's response headers; the pull
	// itself may run for as long as the download takes.
	DefaultOllamaPullHeaderTimeout = 30 * time.Second
)

// OllamaAdmin speaks Ollama's administration API (/api/version, /api/tags, /api/pull,
// /api/delete) at whatever base URL it is given. Ollama has no official Go client outside its
// own server module, so the few JSON shapes are written out here. It implements
// domain.OllamaClient.
type OllamaAdmin struct {
	// HTTPClient sends every request. It must not set Timeout, which would cut long pulls.
	HTTPClient        *http.Client
	StatusTimeout     time.Duration
	RequestTimeout    time.Duration
	PullHeaderTimeout time.Duration
}

var _ domain.OllamaClient = (*OllamaAdmin)(nil)

// NewOllamaAdmin returns an OllamaAdmin with the default timeouts, sending through client or,
// when client is nil, a client of its own.
func NewOllamaAdmin(client *http.Client) *OllamaAdmin {
	if client == nil {
		client = &http.Client{Transport: guardedTransport()}
	}
	return &OllamaAdmin{HTTPClient: client, StatusTimeout: DefaultOllamaStatusTimeout,
		RequestTimeout: DefaultOllamaRequestTimeout, PullHeaderTimeout: DefaultOllamaPullHeaderTimeout}
}

// The JSON shapes of Ollama's administration API.
type (
	ollamaVersionResponse struct {
		Version string `json:"version"`
	}
	ollamaTagsResponse struct {
		Models *[]ollamaTag `json:"models"`
	}
	ollamaTag struct {
		Name       string    `json:"name"`
		Model      string    `json:"model"`
		ModifiedAt time.Time `json:"modified_at"`
		Size       int64     `json:"size"`
		Digest     string    `json:"digest"`
		Details    struct {
			ParameterSize     string `json:"parameter_size"`
			QuantizationLevel string `json:"quantization_level"`
		} `json:"details"`
	}
	ollamaPullRequest struct {
		Model  string `json:"model"`
		Stream bool   `json:"stream"`
	}
	ollamaPullLine struct {
		Status    string `json:"status"`
		Digest    string `json:"digest"`
		Total     int64  `json:"total"`
		Completed int64  `json:"completed"`
		Error     string `json:"error"`
	}
	ollamaDeleteRequest struct {
		Model string `json:"model"`
	}
)

// errNotOllama is a 2xx answer that is not what Ollama sends.
var errNotOllama = errors.New("ai: not an Ollama answer")

// Version implements domain.OllamaClient.
func (o *OllamaAdmin) Version(ctx context.Context, baseURL string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(o.StatusTimeout, DefaultOllamaStatusTimeout))
	defer cancel()
	var v ollamaVersionResponse
	if err := o.getJSON(ctx, baseURL, "/api/version", &v); err != nil {
		return "", o.fail(ctx, baseURL, "", err)
	}
	if strings.TrimSpace(v.Version) == "" {
		return "", o.fail(ctx, baseURL, "", errNotOllama)
	}
	return v.Version, nil
}

// Models implements domain.OllamaClient.
func (o *OllamaAdmin) Models(ctx context.Context, baseURL string) ([]domain.OllamaModel, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(o.RequestTimeout, DefaultOllamaRequestTimeout))
	defer cancel()
	var v ollamaTagsResponse
	if err := o.getJSON(ctx, baseURL, "/api/tags", &v); err != nil {
		return nil, o.fail(ctx, baseURL, "", err)
	}
	if v.Models == nil {
		return nil, o.fail(ctx, baseURL, "", errNotOllama)
	}
	out := make([]domain.OllamaModel, 0, len(*v.Models))
	for _, t := range *v.Models {
		name := t.Name
		if name == "" {
			name = t.Model
		}
		out = append(out, domain.OllamaModel{Name: name, Size: t.Size, ModifiedAt: t.ModifiedAt.UTC(), Digest: t.Digest,
			ParameterSize: t.Details.ParameterSize, Quantization: t.Details.QuantizationLevel})
	}
	return out, nil
}

// Pull implements domain.OllamaClient. Ollama streams newline-delimited JSON progress lines and
// ends with {"status":"success"}; a failure is a line {"error":"…"} or a non-2xx answer.
func (o *OllamaAdmin) Pull(ctx context.Context, baseURL, name string, onLine func(domain.OllamaPullLine) error) error {
	hctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(orDefault(o.PullHeaderTimeout, DefaultOllamaPullHeaderTimeout), func() {
		cancel(context.DeadlineExceeded)
	})
	resp, err := o.send(hctx, http.MethodPost, baseURL, "/api/pull", ollamaPullRequest{Model: name, Stream: true})
	timer.Stop()
	if err != nil {
		if context.Cause(hctx) == context.DeadlineExceeded && ctx.Err() == nil {
			return o.timeout(baseURL)
		}
		var se *statusError
		if errors.As(err, &se) && se.status != http.StatusNotFound {
			if msg := ollamaErrorText(se.body); msg != "" {
				return o.pullFailure(name, msg)
			}
		}
		return o.fail(ctx, baseURL, name, err)
	}
	defer resp.Body.Close()

	lines := newLineReader(resp.Body)
	for {
		raw, err := lines.next()
		if err == io.EOF {
			return domain.Errorf(domain.EUNAVAILABLE, "Ollama ended the pull of %s before it finished.", name)
		} else if err != nil {
			return o.fail(ctx, baseURL, name, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		var l ollamaPullLine
		if err := json.Unmarshal(raw, &l); err != nil {
			return o.fail(ctx, baseURL, name, errNotOllama)
		}
		if l.Error != "" {
			return o.pullFailure(name, l.Error)
		}
		if err := onLine(domain.OllamaPullLine{Status: l.Status, Digest: l.Digest, Total: l.Total, Completed: l.Completed}); err != nil {
			return err
		}
		if l.Status == domain.OllamaPullSuccess {
			return nil
		}
	}
}

// Delete implements domain.OllamaClient.
func (o *OllamaAdmin) Delete(ctx context.Context, baseURL, name string) error {
	ctx, cancel := context.WithTimeout(ctx, orDefault(o.RequestTimeout, DefaultOllamaRequestTimeout))
	defer cancel()
	resp, err := o.send(ctx, http.MethodDelete, baseURL, "/api/delete", ollamaDeleteRequest{Model: name})
	if err != nil {
		return o.fail(ctx, baseURL, name, err)
	}
	resp.Body.Close()
	return nil
}

// getJSON decodes the JSON answer of GET baseURL+path into v.
func (o *OllamaAdmin) getJSON(ctx context.Context, baseURL, path string, v any) error {
	resp, err := o.send(ctx, http.MethodGet, baseURL, path, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syn) || errors.As(err, &typ) || errors.Is(err, io.EOF) {
			return errNotOllama
		}
		return err
	}
	return nil
}

// send sends a request with an optional JSON body and returns the response when its status is
// 2xx; any other status is a *statusError with the start of the body.
func (o *OllamaAdmin) send(ctx context.Context, method, baseURL, path string, body any) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(baseURL, "/")+path, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json, application/x-ndjson")
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, &statusError{status: resp.StatusCode, body: b}
	}
	return resp, nil
}

// fail translates err, which ended a request to the Ollama server at baseURL about model name
// (or none), into a domain error a person can act on.
func (o *OllamaAdmin) fail(ctx context.Context, baseURL, name string, err error) error {
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	where := safeOllamaURL(baseURL)
	var se *statusError
	switch {
	case errors.As(err, &se):
		msg := ollamaErrorText(se.body)
		if se.status == http.StatusNotFound && name != "" {
			return domain.Errorf(domain.ENOTFOUND, "Model %s not found on the Ollama server.", name)
		}
		if msg == "" || se.status == http.StatusNotFound {
			return domain.Errorf(domain.EUNAVAILABLE, "The server at %s answered HTTP %d; it does not look like Ollama.", where, se.status)
		}
		if m := strings.ToLower(msg); name != "" && (strings.Contains(m, "not found") || strings.Contains(m, "does not exist")) {
			return domain.Errorf(domain.ENOTFOUND, "Model %s not found on the Ollama server: %s", name, msg)
		}
		return domain.Errorf(domain.EUNAVAILABLE, "Ollama at %s answered HTTP %d: %s", where, se.status, msg)
	case errors.Is(err, errNotOllama):
		return domain.Errorf(domain.EUNAVAILABLE, "The server at %s answered, but not like Ollama.", where)
	case errors.Is(err, errForbiddenAddr):
		return domain.Errorf(domain.EINVALID, "Ollama at %s resolves to a link-local or cloud metadata address, which the portal never connects to.", where)
	}
	if ctx.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
		return ctx.Err()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return domain.Errorf(domain.EUNAVAILABLE, "Could not connect to Ollama at %s: the host name was not found.", where)
	}
	return o.timeout(baseURL)
}

// timeout is the error of a request the Ollama server did not answer. A refused connection,
// one that hangs and one cut before an answer all read the same: the portal's server may reach
// addresses its admins cannot, and telling those apart would make the URL test a port scanner.
func (o *OllamaAdmin) timeout(baseURL string) error {
	return domain.Errorf(domain.EUNAVAILABLE, "No answer from Ollama at %s: it could not be reached, or did not answer in time. Check that Ollama runs there and that this server can reach it.", safeOllamaURL(baseURL))
}

// pullFailure translates Ollama's own error message about model name.
func (o *OllamaAdmin) pullFailure(name, msg string) error {
	msg = oneLine(msg)
	m := strings.ToLower(msg)
	if strings.Contains(m, "file does not exist") || strings.Contains(m, "not found") {
		return domain.Errorf(domain.ENOTFOUND, "Ollama found no model called %s: %s", name, msg)
	}
	return domain.Errorf(domain.EUNAVAILABLE, "Ollama could not pull %s: %s", name, msg)
}

// ollamaErrorText returns the message of Ollama's error body {"error":"…"}, or "".
func ollamaErrorText(body []byte) string {
	var v struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return oneLine(v.Error)
}

// oneLine puts msg on one line and cuts it short.
func oneLine(msg string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	if utf8.RuneCountInString(msg) > maxProviderMessage {
		msg = string([]rune(msg)[:maxProviderMessage]) + "…"
	}
	return msg
}

// safeOllamaURL returns baseURL without user info, query or fragment.
func safeOllamaURL(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return "the configured URL"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// orDefault returns d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
