package ai

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"unicode/utf8"

	"tftsr/domain"
)

// maxProviderMessage caps the provider's own words quoted in an error message.
const maxProviderMessage = 300

// statusError is a provider's answer with a non-2xx HTTP status and its (JSON) body.
type statusError struct {
	status int
	body   []byte
}

func (e *statusError) Error() string { return fmt.Sprintf("ai: provider answered HTTP %d", e.status) }

// streamError is an error the provider reported inside an open stream: an SSE error event or
// an NDJSON error line. body is the event's JSON.
type streamError struct {
	body []byte
}

func (e *streamError) Error() string { return "ai: provider reported an error mid-stream" }

// fail translates err, which ended a reply of model asked under parent, into the error
// StreamChat returns: the caller's own onToken error or ctx error unchanged, else a domain.Error.
func (s *settings) fail(parent context.Context, d *deadline, model string, err error) error {
	var te *tokenError
	if errors.As(err, &te) {
		return te.err
	}
	if perr := parent.Err(); perr != nil {
		return perr
	}
	var se *statusError
	if errors.As(err, &se) {
		return s.statusFailure(model, se.status, se.body)
	}
	if d != nil && !d.heard {
		if msg := s.unanswered(err); msg != "" {
			return domain.Errorf(domain.EUNAVAILABLE, "%s", msg)
		}
	}
	if d != nil && errors.Is(context.Cause(d.ctx), errTimedOut) {
		return errTimeout()
	}
	var ee *streamError
	if errors.As(err, &ee) {
		if msg := s.providerMessage(ee.body); msg != "" {
			return domain.Errorf(domain.EUNAVAILABLE, "The provider stopped with an error: %s", msg)
		}
		return domain.Errorf(domain.EUNAVAILABLE, "The provider stopped with an error.")
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errTimeout()
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	if errors.As(err, &dnsErr) || (errors.As(err, &opErr) && opErr.Op == "dial") || errors.Is(err, syscall.ECONNREFUSED) {
		return domain.Errorf(domain.EUNAVAILABLE, "Could not reach the provider at %s.", s.safeURL())
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return domain.Errorf(domain.EUNAVAILABLE, "Could not reach the provider at %s: its TLS certificate was not accepted.", s.safeURL())
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
		return domain.Errorf(domain.EUNAVAILABLE, "The provider sent a reply that could not be read.")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) {
		return domain.Errorf(domain.EUNAVAILABLE, "The connection to the provider was lost.")
	}
	return domain.Errorf(domain.EUNAVAILABLE, "The request to the provider at %s failed.", s.safeURL())
}

// unanswered is the message of a request the provider never answered (no response headers),
// or "" when err says something a person can act on that does not depend on the network
// (a TLS certificate that was not accepted). A refused connection, one that
// hangs and one cut before an answer read the same: the portal's server may reach addresses
// its admins cannot, and telling those apart would make a provider's URL test a port scanner.
// A host name that does not resolve is said as such: that tells nothing about ports.
func (s *settings) unanswered(err error) string {
	var certErr *tls.CertificateVerificationError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &certErr):
		return ""
	case errors.Is(err, errForbiddenAddr):
		return fmt.Sprintf("Could not reach the provider at %s: it resolves to a link-local or cloud metadata address, which the portal never connects to.", s.safeURL())
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Sprintf("Could not reach the provider at %s: the host name was not found.", s.safeURL())
	}
	return fmt.Sprintf("No answer from the provider at %s: it could not be reached, or did not answer in time. Check the address, and that this server can reach it.", s.safeURL())
}

// errTimeout is the error of a reply that outlived its timeouts.
func errTimeout() error {
	return domain.Errorf(domain.EUNAVAILABLE, "The provider did not answer in time.")
}

// statusFailure translates a provider's HTTP error status and body.
func (s *settings) statusFailure(model string, status int, body []byte) error {
	msg := s.providerMessage(body)
	switch {
	case status == 401 || status == 403 || keyRejected(body):
		return domain.Errorf(domain.EUNAVAILABLE, "The provider refused the API key (%d).", status)
	case status == 404 || modelMissing(msg):
		return domain.Errorf(domain.EUNAVAILABLE, "The model %s was not found at the provider.", s.redact(model))
	case status == 429:
		return domain.Errorf(domain.EUNAVAILABLE, "The provider is rate limiting requests; try again shortly.")
	case status >= 500:
		return domain.Errorf(domain.EUNAVAILABLE, "The provider failed (%d).", status)
	case msg != "":
		return domain.Errorf(domain.EUNAVAILABLE, "The provider rejected the request (%d): %s", status, msg)
	}
	return domain.Errorf(domain.EUNAVAILABLE, "The provider rejected the request (%d).", status)
}

// providerMessage returns the human-readable message of a provider's error body: OpenAI,
// Mistral, Anthropic and Gemini use {"error":{"message":...}}, Ollama {"error":"..."} and some
// OpenAI-compatible servers {"message":...} or {"detail":...}. The message is cut short, put on
// one line and stripped of the API key.
func (s *settings) providerMessage(body []byte) string {
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	var msg string
	switch e := v["error"].(type) {
	case string:
		msg = e
	case map[string]any:
		msg, _ = e["message"].(string)
	}
	if msg == "" {
		msg, _ = v["message"].(string)
	}
	if msg == "" {
		msg, _ = v["detail"].(string)
	}
	msg = strings.Join(strings.Fields(s.redact(msg)), " ")
	if utf8.RuneCountInString(msg) > maxProviderMessage {
		msg = string([]rune(msg)[:maxProviderMessage]) + "…"
	}
	return msg
}

// keyRejected reports whether an error body says the API key is invalid, as Gemini does with
// status 400 and reason API_KEY_INVALID.
func keyRejected(body []byte) bool {
	return strings.Contains(string(body), "API_KEY_INVALID")
}

// modelMissing reports whether a provider's message says the model does not exist, which some
// OpenAI-compatible servers answer with status 400.
func modelMissing(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "model") && (strings.Contains(m, "not found") || strings.Contains(m, "does not exist"))
}

// redact removes the API key from text.
func (s *settings) redact(text string) string {
	if s.apiKey == "" {
		return text
	}
	return strings.ReplaceAll(text, s.apiKey, "[redacted]")
}

// safeURL returns the base URL without any user info or query, fit for an error message.
func (s *settings) safeURL() string {
	u, err := url.Parse(s.baseURL)
	if err != nil {
		return "the configured URL"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return s.redact(u.String())
}
