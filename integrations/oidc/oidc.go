// Package oidc is the portal's OpenID Connect client: discovery from the issuer URL, the
// authorization code flow with PKCE, and ID tokens verified against the provider's keys, through
// github.com/coreos/go-oidc/v3 and golang.org/x/oauth2.
package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"tftsr/domain"
)

// Config says which provider to use and how the portal is registered with it.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string // empty for a public client, which PKCE protects
	RedirectURL  string
	Scopes       []string
	// RoleClaim names the claim with the user's groups or roles; a dotted path reaches into
	// objects (realm_access.roles).
	RoleClaim string
	// Timeout bounds each request to the provider; 0 is 10 seconds.
	Timeout time.Duration
	// RetryAfter is how long a failed discovery is not tried again; 0 tries at every use.
	RetryAfter time.Duration
	// HTTPClient reaches the provider; nil is a client with Timeout.
	HTTPClient *http.Client
}

// Provider is an OpenID Connect provider discovered at first use.
type Provider struct {
	cfg    Config
	client *http.Client

	mu       sync.Mutex
	provider *gooidc.Provider
	failedAt time.Time
	lastErr  error
}

var _ domain.SSOProvider = (*Provider)(nil)

// New returns the provider of cfg. Nothing is fetched until it is used.
func New(cfg Config) *Provider {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{gooidc.ScopeOpenID, "profile", "email"}
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: cfg.Timeout}
	}
	return &Provider{cfg: cfg, client: client}
}

// discover returns the discovered provider, fetching the discovery document now if it has not
// been, unless the last try failed less than RetryAfter ago.
func (p *Provider) discover(ctx context.Context) (*gooidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, nil
	}
	if p.lastErr != nil && time.Since(p.failedAt) < p.cfg.RetryAfter {
		return nil, p.unavailable()
	}
	dctx, cancel := context.WithTimeout(gooidc.ClientContext(ctx, p.client), p.cfg.Timeout)
	defer cancel()
	// The provider keeps a context holding only the HTTP client for fetching its keys later;
	// the deadline applies to discovery alone.
	prov, err := gooidc.NewProvider(dctx, p.cfg.Issuer)
	if err != nil {
		p.failedAt, p.lastErr = time.Now(), err
		return nil, p.unavailable()
	}
	p.provider, p.lastErr = prov, nil
	return prov, nil
}

func (p *Provider) unavailable() error {
	return domain.Errorf(domain.EUNAVAILABLE, "Single sign-on is unavailable: the identity provider cannot be reached. Try again later.")
}

// Available reports whether the provider has been or can now be discovered.
func (p *Provider) Available(ctx context.Context) error {
	_, err := p.discover(ctx)
	return err
}

// LastError returns why the last discovery failed, for the log; nil when it did not.
func (p *Provider) LastError() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastErr
}

func (p *Provider) oauth(prov *gooidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, RedirectURL: p.cfg.RedirectURL,
		Endpoint: prov.Endpoint(), Scopes: p.cfg.Scopes,
	}
}

// AuthCodeURL returns the provider's authorization URL for an authorization code with PKCE.
func (p *Provider) AuthCodeURL(ctx context.Context, state, nonce, verifier string) (string, error) {
	prov, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	return p.oauth(prov).AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Exchange redeems code and verifies the ID token: signature against the provider's keys,
// issuer, audience (the client ID), expiry, and nonce.
func (p *Provider) Exchange(ctx context.Context, code, verifier, nonce string) (*domain.ExternalIdentity, error) {
	prov, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, p.client), p.cfg.Timeout)
	defer cancel()
	tok, err := p.oauth(prov).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode != "" {
			return nil, domain.Errorf(domain.EUNAUTHORIZED, "The identity provider refused the sign-in code (%s).", re.ErrorCode)
		}
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "The sign-in code could not be redeemed at the identity provider.")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "The identity provider sent no ID token.")
	}
	idt, err := prov.Verifier(&gooidc.Config{ClientID: p.cfg.ClientID}).Verify(gooidc.ClientContext(ctx, p.client), raw)
	if err != nil {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "The identity provider's ID token was refused: %s.", tokenProblem(err))
	}
	if idt.Nonce == "" || idt.Nonce != nonce {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "The identity provider's ID token was refused: its nonce does not match this sign-in.")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "The identity provider's ID token has unreadable claims.")
	}
	id := &domain.ExternalIdentity{
		Issuer: idt.Issuer, Subject: idt.Subject,
		PreferredUsername: str(claims["preferred_username"]),
		Email:             str(claims["email"]),
		Name:              str(claims["name"]),
		RoleValues:        strs(lookup(claims, p.cfg.RoleClaim)),
	}
	switch v := claims["email_verified"].(type) {
	case bool:
		id.EmailVerified = &v
	case string: // some providers send "true" or "false"
		b := strings.EqualFold(v, "true")
		id.EmailVerified = &b
	}
	return id, nil
}

// tokenProblem words why go-oidc refused a token.
func tokenProblem(err error) string {
	var expired *gooidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &expired):
		return "it has expired"
	case strings.Contains(msg, "audience"):
		return "it was issued for another application"
	case strings.Contains(msg, "issuer"):
		return "it was issued by another provider"
	case strings.Contains(msg, "signature"):
		return "its signature does not match the provider's keys"
	}
	return "it is not valid"
}

func lookup(claims map[string]any, path string) any {
	if path == "" {
		return nil
	}
	var v any = claims
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// String names the provider, for the log.
func (p *Provider) String() string { return fmt.Sprintf("OpenID Connect provider %s", p.cfg.Issuer) }
