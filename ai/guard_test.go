package ai

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRefuseForbidden: the dial check refuses link-local and metadata addresses and lets the
// LAN and loopback through. It is checked as a function: no test dials such an address.
func TestRefuseForbidden(t *testing.T) {
	for _, a := range []string{"169.254.169.254:80", "[fe80::1]:11434", "[fd00:ec2::254]:80", "[::ffff:169.254.169.254]:80"} {
		if err := refuseForbidden("tcp", a, nil); err != errForbiddenAddr {
			t.Errorf("%s: %v, want refused", a, err)
		}
	}
	for _, a := range []string{"127.0.0.1:11434", "10.0.0.5:11434", "192.168.1.20:443", "[::1]:80", "203.0.113.7:443"} {
		if err := refuseForbidden("tcp", a, nil); err != nil {
			t.Errorf("%s: %v, want allowed", a, err)
		}
	}
}

// TestClientsAreGuarded: the factory's and the Ollama admin's own clients dial through the
// check, and still reach a server on loopback.
func TestClientsAreGuarded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	for name, c := range map[string]*http.Client{"factory": NewFactory(nil).HTTPClient, "ollama": NewOllamaAdmin(nil).HTTPClient} {
		tr, ok := c.Transport.(*http.Transport)
		if !ok || tr.DialContext == nil {
			t.Fatalf("%s: transport %T without the guarded dialer", name, c.Transport)
		}
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatalf("%s: loopback refused: %v", name, err)
		}
		resp.Body.Close()
	}
	// The dialer checks every address it connects to (the check runs before connect, so it is
	// tested as a function rather than by dialing a forbidden address).
	if d := guardedDialer(); d.Control == nil || d.Control("tcp", "169.254.169.254:80", nil) != errForbiddenAddr {
		t.Error("the guarded dialer does not refuse 169.254.169.254")
	}
}
