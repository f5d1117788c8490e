package domain_test

import (
	"fmt"
	"strings"
	"testing"

	"tftsr/domain"
)

func TestProviderInputValidate(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name  string
		in    domain.ProviderInput
		field string // "" for valid
	}{
		{name: "ollama minimal", in: domain.ProviderInput{Name: "local", Kind: domain.ProviderOllama, Model: "llama3.2:3b"}},
		{name: "openai compatible", in: domain.ProviderInput{Name: "vllm_1.a-b", Kind: domain.ProviderOpenAI, BaseURL: "http://10.0.0.5:8000/v1/", Model: "qwen"}},
		{name: "temperature bounds", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", Temperature: f(2)}},
		{name: "no name", in: domain.ProviderInput{Kind: domain.ProviderOllama, Model: "m"}, field: "name"},
		{name: "name with spaces", in: domain.ProviderInput{Name: "my provider", Kind: domain.ProviderOllama, Model: "m"}, field: "name"},
		{name: "name with markup", in: domain.ProviderInput{Name: "<b>x</b>", Kind: domain.ProviderOllama, Model: "m"}, field: "name"},
		{name: "name too long", in: domain.ProviderInput{Name: strings.Repeat("a", 65), Kind: domain.ProviderOllama, Model: "m"}, field: "name"},
		{name: "unknown kind", in: domain.ProviderInput{Name: "a", Kind: "azure", Model: "m"}, field: "kind"},
		{name: "no model", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama}, field: "model"},
		{name: "model with space", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "a b"}, field: "model"},
		{name: "ftp url", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", BaseURL: "ftp://host"}, field: "base_url"},
		{name: "relative url", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", BaseURL: "/v1"}, field: "base_url"},
		{name: "no host", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", BaseURL: "http://"}, field: "base_url"},
		{name: "javascript url", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", BaseURL: "javascript:alert(1)"}, field: "base_url"},
		{name: "credentials in url", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", BaseURL: "http://u:p@host"}, field: "base_url"},
		{name: "query in url", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", BaseURL: "http://host/?key=x"}, field: "base_url"},
		{name: "temperature 5", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", Temperature: f(5)}, field: "temperature"},
		{name: "negative temperature", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", Temperature: f(-0.1)}, field: "temperature"},
		{name: "max tokens", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", MaxTokens: 200001}, field: "max_tokens"},
		{name: "negative max tokens", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", MaxTokens: -1}, field: "max_tokens"},
		{name: "timeout low", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", TimeoutSeconds: 4}, field: "timeout_seconds"},
		{name: "timeout high", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", TimeoutSeconds: 601}, field: "timeout_seconds"},
		{name: "ollama key", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderOllama, Model: "m", APIKey: "k"}, field: "api_key"},
		{name: "key and clear", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderMistral, Model: "m", APIKey: "k", ClearAPIKey: true}, field: "api_key"},
		{name: "key with newline", in: domain.ProviderInput{Name: "a", Kind: domain.ProviderMistral, Model: "m", APIKey: "k\x00k"}, field: "api_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			fields := domain.ErrorFields(err)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v %v", err, fields)
				}
				return
			}
			if domain.ErrorCode(err) != domain.EINVALID || fields[tt.field] == "" {
				t.Fatalf("Validate = %v %v, want a message on %s", err, fields, tt.field)
			}
		})
	}
}

func TestProviderInputDefaults(t *testing.T) {
	for _, k := range domain.ProviderKinds {
		in := domain.ProviderInput{Name: "x", Kind: k, Model: "m"}
		if err := in.Validate(); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if in.BaseURL != k.Info().DefaultBaseURL || in.MaxTokens != 4096 || in.TimeoutSeconds != 120 {
			t.Fatalf("%s defaults: %+v", k, in)
		}
	}
	want := map[domain.ProviderKind]string{
		domain.ProviderOpenAI:    "https://api.openai.com/v1",
		domain.ProviderAnthropic: "https://api.anthropic.com",
		domain.ProviderGemini:    "https://generativelanguage.googleapis.com",
		domain.ProviderMistral:   "https://api.mistral.ai/v1",
		domain.ProviderOllama:    "http://127.0.0.1:11434",
	}
	infos := domain.ProviderKindInfos()
	if len(infos) != len(want) {
		t.Fatalf("%d kinds", len(infos))
	}
	for _, info := range infos {
		if info.DefaultBaseURL != want[info.Kind] || info.Label == "" || len(info.Fields) == 0 {
			t.Errorf("%+v", info)
		}
	}
	in := domain.ProviderInput{Name: " trimmed ", Kind: domain.ProviderOllama, Model: " m ", BaseURL: " http://h:1/v1/ "}
	if err := in.Validate(); err != nil || in.Name != "trimmed" || in.Model != "m" || in.BaseURL != "http://h:1/v1" {
		t.Fatalf("normalised %+v, %v", in, err)
	}
}

// TestForbiddenHosts: no URL an admin enters may name a link-local or metadata address; the
// LAN and loopback stay allowed.
func TestForbiddenHosts(t *testing.T) {
	for _, u := range []string{"http://169.254.169.254/latest", "http://[fe80::1%25eth0]:11434", "http://[fd00:ec2::254]/",
		"http://metadata.google.internal/computeMetadata/v1", "http://[::ffff:169.254.169.254]/"} {
		if msg := domain.ValidateOllamaURL(u); !strings.Contains(msg, "metadata") {
			t.Errorf("Ollama URL %s: %q, want refused", u, msg)
		}
		in := domain.ProviderInput{Name: "x", Kind: domain.ProviderOpenAI, BaseURL: u, Model: "m"}
		if err := in.Validate(); !strings.Contains(domain.ErrorMessage(err)+fmt.Sprint(domain.ErrorFields(err)), "metadata") {
			t.Errorf("provider URL %s: %v, want refused", u, err)
		}
	}
	for _, u := range []string{"http://gpu-box.lan:11434", "http://10.0.0.5:11434", "http://127.0.0.1:11434", "https://api.openai.com/v1"} {
		if msg := domain.ValidateOllamaURL(u); msg != "" {
			t.Errorf("Ollama URL %s refused: %s", u, msg)
		}
	}
}

// TestChooseProvider checks the order of the chat's pre-selected provider: the user's last
// choice, the team's default, the first whose last test did not fail, the first.
func TestChooseProvider(t *testing.T) {
	failed := &domain.ProviderTestResult{OK: false}
	cfgs := []*domain.ProviderConfig{{Name: "a", LastTest: failed}, {Name: "b"}, {Name: "c"}}
	for _, tc := range []struct {
		cfgs       []*domain.ProviderConfig
		last, team string
		want       string
	}{
		{cfgs, "c", "b", "c"},
		{cfgs, "gone", "b", "b"},
		{cfgs, "", "gone", "b"},
		{cfgs, "a", "b", "a"},
		{[]*domain.ProviderConfig{{Name: "a", LastTest: failed}}, "", "", "a"},
		{nil, "a", "b", ""},
	} {
		if got := domain.ChooseProvider(tc.cfgs, tc.last, tc.team); got != tc.want {
			t.Errorf("ChooseProvider(last %q, team %q) = %q, want %q", tc.last, tc.team, got, tc.want)
		}
	}
}
