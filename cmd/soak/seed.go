package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"tftsr/views"
)

// api calls the JSON API with a personal access token, as the team's scripts do.
type api struct {
	base   string
	token  string
	client *http.Client
}

func (a *api) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, abbreviate(string(b), 300))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Words the seeded incidents are made of, and that the drill searches for.
var (
	seedSystems  = []string{"checkout", "payments-gateway", "postgres", "kafka", "ingress", "dns", "ldap", "vpn", "nfs", "redis", "elasticsearch", "sip-trunk", "vcenter", "idrac", "jenkins", "okta"}
	seedSymptoms = []string{"latency spike", "timeouts", "disk full", "certificate expired", "memory leak", "crash loop", "packet loss", "replication lag", "login failures", "high cpu", "queue backlog", "split brain"}
	seedCauses   = []string{"a config push", "the nightly backup", "a kernel update", "an expired token", "a noisy neighbour", "the failover test", "a schema migration", "a firewall rule", "a full inode table", "the autoscaler"}
	severities   = []string{"critical", "high", "medium", "low"}
	categories   = []string{"general", "linux", "windows", "network", "kubernetes", "databases", "virtualization", "hardware", "observability", "telephony", "security", "application", "identity"}
	searchTerms  = []string{"checkout", "latency", "postgres timeouts", "certificate", "\"disk full\"", "kafka or redis", "crash loop -windows", "replication", "vpn", "backup", "firewall", "okta login"}
)

// incidentText returns a title and description made of the seed words.
func incidentText(r *rand.Rand) (title, description string) {
	sys, sym, cause := pick(r, seedSystems), pick(r, seedSymptoms), pick(r, seedCauses)
	title = fmt.Sprintf("%s %s on %s%02d", strings.ToUpper(sys[:1])+sys[1:], sym, pick(r, []string{"web", "db", "app", "node"}), r.IntN(40))
	description = fmt.Sprintf("Monitoring paged at %02d:%02d: %s on %s. First look points at %s; %d users affected. "+
		"Runbook followed, **escalated** to the on-call for %s.", r.IntN(24), r.IntN(60), sym, sys, cause, 10+r.IntN(5000), pick(r, seedSystems))
	return title, description
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// seed creates n incidents through the API (workers at a time) and an RCA for the first docs
// of them; it returns the incidents' and documents' ids.
func seed(ctx context.Context, a *api, n, docs, workers int) (issues, documents []string, err error) {
	type result struct {
		id  string
		err error
	}
	jobs := make(chan int)
	results := make(chan result)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for range jobs {
				title, desc := incidentText(r)
				var is struct{ ID string }
				err := a.call(ctx, http.MethodPost, "/api/v1/issues", map[string]string{
					"title": title, "description": desc, "severity": pick(r, severities), "category": pick(r, categories)}, &is)
				results <- result{is.ID, err}
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
	go func() { wg.Wait(); close(results) }()
	for r := range results {
		if r.err != nil && err == nil {
			err = r.err
		}
		if r.err == nil {
			issues = append(issues, r.id)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("seeding incidents: %w", err)
	}
	for _, id := range issues[:min(docs, len(issues))] {
		// A few whys and a note first, so that the RCA has something to say.
		for n, q := range []string{"Why did checkout time out?", "Why was the pool exhausted?"} {
			if err := a.call(ctx, http.MethodPost, "/api/v1/issues/"+id+"/five-whys", map[string]any{
				"why_number": n + 1, "question": q, "answer": "Because " + seedCauses[n] + " changed it."}, nil); err != nil {
				return nil, nil, fmt.Errorf("seeding whys: %w", err)
			}
		}
		var d struct{ ID string }
		if err := a.call(ctx, http.MethodPost, "/api/v1/issues/"+id+"/documents", map[string]string{"kind": "rca"}, &d); err != nil {
			return nil, nil, fmt.Errorf("seeding documents: %w", err)
		}
		documents = append(documents, d.ID)
	}
	return issues, documents, nil
}

// createUsers creates the responders through the admin's users page, as an admin does.
func createUsers(ctx context.Context, admin *browser, names []string, password string) error {
	if _, err := admin.page(ctx, "admin_users", "/admin/users"); err != nil {
		return err
	}
	for _, name := range names {
		form := url.Values{"username": {name}, "display_name": {"Soak " + name}, "role": {"responder"}, "password": {password}}
		r, err := admin.htmx(ctx, "admin_user_create", http.MethodPost, "/admin/users", views.UserCreateFormID, form, http.StatusNoContent)
		if err != nil {
			return fmt.Errorf("creating user %s: %w", name, err)
		}
		if r.header.Get("HX-Redirect") != "/admin/users" {
			return fmt.Errorf("creating user %s: answered without HX-Redirect to /admin/users", name)
		}
	}
	return nil
}
