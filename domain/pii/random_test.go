package pii

import (
	"fmt"
	"slices"
	"testing"
)

// foundText renders the spans DetectText finds in text as "Type:value".
func foundText(text string) []string {
	var out []string
	for _, sp := range DetectText([]byte(text)) {
		out = append(out, fmt.Sprintf("%s:%s", sp.Type, text[sp.Start:sp.End]))
	}
	return out
}

// TestBareSecret: random-looking passwords and keys typed without a key
// are reported whole, without the quotes, brackets and punctuation
// around them.
func TestBareSecret(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"Tr0ub4dor&3xK", []string{"Secret:Tr0ub4dor&3xK"}},
		{"try X9#kd!2mQp7z on the replica", []string{"Secret:X9#kd!2mQp7z"}},
		{"the DB user is bob and it uses X9#kd!2mQp7z.", []string{"Secret:X9#kd!2mQp7z"}},
		{`I set it to "q8Vn2LkP0zRt" yesterday`, []string{"Secret:q8Vn2LkP0zRt"}},
		{"it was 'mZ4$wQ9!vB2x', then we rotated it", []string{"Secret:mZ4$wQ9!vB2x"}},
		{"(key: Jd83KsLq02Mzx7Bv)", []string{"Secret:Jd83KsLq02Mzx7Bv"}},
		{"the old one [7hGk2PzQ9wLm] still works", []string{"Secret:7hGk2PzQ9wLm"}},
		{"“Hq7#Lp2vRz9k” was in the ticket", []string{"Secret:Hq7#Lp2vRz9k"}},
		{"it starts with Hq7#Lp2vRz9k…", []string{"Secret:Hq7#Lp2vRz9k"}},
		{"HC8I=WgYPH&2N", []string{"Secret:HC8I=WgYPH&2N"}},
		{"Why 3: someone pasted 9fKs0dLq2VbN7xZcR4tY1wPe into the wiki", []string{"Secret:9fKs0dLq2VbN7xZcR4tY1wPe"}},
		{"vendor key 4eC39HqLyjWDarjtT1zdp7dc, no prefix", []string{"Secret:4eC39HqLyjWDarjtT1zdp7dc"}},
		{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8Lm2Vd9s posted in #ops", []string{"Secret:wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8Lm2Vd9s"}},
		{"base64 blob dGhpcyBpcyBhIHNlY3JldCBrZXk9PQ==!", []string{"Secret:dGhpcyBpcyBhIHNlY3JldCBrZXk9PQ=="}},
		{"login bob:Zx8#mQ2!pL5v", []string{"Secret:Zx8#mQ2!pL5v"}},
		{"SESSION=Ab3xK9mQ2pL7Zt", []string{"Secret:Ab3xK9mQ2pL7Zt"}},
		{"two: Q2w9ErT5yU8i and Mk3Lp9Zq1Xv7", []string{"Secret:Q2w9ErT5yU8i", "Secret:Mk3Lp9Zq1Xv7"}},
		// Long strings of two classes, without symbols.
		{"k3j5h2g8f9d0s7a6q1w4x8r5", []string{"Secret:k3j5h2g8f9d0s7a6q1w4x8r5"}},
		// Another rule owns a value with a key or a known shape.
		{"the password is X9#kd!2mQp7z", []string{"Password:X9#kd!2mQp7z"}},
		{"token ghp_abcdefghijklmnopqrstuvwxyz0123456789", []string{"GitHubToken:ghp_abcdefghijklmnopqrstuvwxyz0123456789"}},
		{"pasted AKIAIOSFODNN7EXAMPLE by mistake", []string{"AWSAccessKey:AKIAIOSFODNN7EXAMPLE"}},
		{"see eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop.", []string{"JWT:eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop"}},
		{"mail X9kd2mQp7z@example.com", []string{"Email:X9kd2mQp7z@example.com"}},
		{"open https://x.example.com/?q=Zx8mQ2pL5vKd9", []string{"Hostname:x.example.com"}},
	}
	for _, tc := range cases {
		if got := foundText(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("DetectText(%q)\n got %q\nwant %q", tc.text, got, tc.want)
		}
	}
}

// bareSecretNegatives are strings that look random at a glance and are not
// secrets; DetectText must leave every one alone.
var bareSecretNegatives = []string{
	// identifiers
	"getUserAccountById", "HTTPServerErrorHandler", "XMLHttpRequest", "Base64Encoder", "getUTF8String",
	"Log4jConfigurationFactory", "user_account_id", "MAX_RETRY_COUNT", "max-connections-per-host",
	"AbstractSingletonProxyFactoryBean", "iPhone15ProMax", "EC2InstanceProfile", "ipv4Address",
	"MySQL8Connector", "useEffectOnce", "__init__.py", "Int64Value", "SHA256Digest",
	// Java, Go, C++ and .NET names
	"com.example.orders.OrderService", "com.example.FooBar$Inner", "org.springframework.web.servlet.DispatcherServlet",
	"java.lang.NullPointerException", "OrderService.java:123", "sync.(*Mutex).Lock", "Map<String,Integer>",
	"std::vector<int>", "github.com/spf13/cobra", "golang.org/x/net/http2", "k8s.io/client-go/v2",
	"System.Collections.Generic.List`1", "net/http.(*Server).Serve",
	// paths and file names
	"/var/log/nginx/access.log", "./scripts/deploy.sh", "C:\\Windows\\System32\\drivers", "~/.kube/config",
	"IMG_20240115_123456.jpg", "report_Q3_2024.xlsx", "docker-compose.override.yml", "node-v20.11.1-linux-x64.tar.xz",
	"src/main/java/com/acme/App.java", "backup-2024-01-15.tar.gz",
	// URLs and addresses
	"https://example.com/a/b?x=1&y=Zz9", "www.example.com/login", "jane.doe@example.com", "ops+alerts@corp.example.org",
	"10.20.30.40:8443", "[2001:db8::1]:443", "00:1A:2B:3C:4D:5E", "fe80::1ff:fe23:4567:890a",
	// versions and builds
	"v1.2.3-rc.1+build.5", "2.14.1-alpine3.19", "1.0.0-SNAPSHOT", "go1.22.3", "python3.11.4", "v20.11.1",
	"build-20240115.3", "BUILD-2024-01-15-A7", "release/2024.01", "4.19.0-21-amd64",
	// hashes, ids, digests
	"9fceb02d0ae598e95dc970b74767f19372d61af8", "9fceb02", "550e8400-e29b-41d4-a716-446655440000",
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "0x7fff5fbff8a0",
	"sha256:4bc453b53cb3d914b45f4b250294236adba2c0e09ff6f03793949e7e39fd4cc1",
	"SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", "sha512-Tx4dA3wkD0JbqHJmE7mCS3sOU1kxQ8rGsP6Q==",
	"01ARZ3NDEKTSV4RRFFQ69G5FAV", "ORD-2024-000123", "INC0012345", "JIRA-12345",
	"AAAAB3NzaC1yc2EAAAADAQABAAABAQC7vbqajDhA", "3f2a1b4c5d6e7f80", "d41d8cd98f00b204e9800998ecf8427e",
	// Kubernetes and containers
	"api-7d9f8b6c4-x2x9q", "payments-worker-5c6b8d9f7-kq2lm", "coredns-787d4945fb-4xz7b",
	"kube-proxy-2xkzq", "nginx-ingress-controller-6b9c8d7f5-wx8rp", "k8s_POD_api-7d9f8b6c4-x2x9q_default_1",
	"quay.io/prometheus/node-exporter:v1.7.0", "ghcr.io/acme/api:1.4.2", "nostalgic_hopper",
	// numbers, dates, times
	"2024-01-15T10:23:45.123Z", "2024-01-15T10:23:45+05:30", "15/Jan/2024:10:23:45", "1700000000000",
	"+1-555-123-4567", "12:34:56.789", "1h23m45s", "PT1H30M45S", "3.14159265358979",
	// markup, code and placeholders
	"#FF00AA", "#1a2b3c4d", "rgba(255,0,0,0.5)", "${DATABASE_URL}", "{{.Values.image.tag}}", "%(asctime)s",
	"$HOME/.config", "@RestController", "--max-old-space-size=4096", "**Important**", "<YOUR_API_KEY>",
	"********", "xxxxxxxxxxxx", "[REDACTED]", "arn:aws:iam::123456789012:role/Admin",
	// code pasted into a message
	`fmt.Sprintf("%s`, "findLogByID(ctx,", "m.s.apiKey", "$PGBIN/pg_ctl", "int(s[i]-'0')", "512.125GiB",
	`[]byte("PK\x03\x04")`, "counts[c&0x7f]++", "<h2>5-Whys</h2>", "[A-Za-z0-9_]+", "pgxstore.NewWithCleanupInterval(database.Pool,",
	"TFTSR_S3_*", "p.Down(ctx)", "fmt.Fprintf(&b,", `fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s"`,
	// words and prose
	"Hello,World!", "Unfortunately,", "Mon-Fri/9-17", "e.g.SomethingElse", "McDonald's", "Q3-2024-Roadmap",
	"TODO(jane):", "re-enabled", "v2-API-Gateway",
}

// TestBareSecretNegatives: identifiers, file names, build ids, class and
// pod names, hashes, versions and the like are not secrets.
func TestBareSecretNegatives(t *testing.T) {
	if len(bareSecretNegatives) < 60 {
		t.Fatalf("only %d hard negatives", len(bareSecretNegatives))
	}
	for _, s := range bareSecretNegatives {
		for _, text := range []string{s, "see " + s + " for details.", `"` + s + `"`} {
			for _, sp := range DetectText([]byte(text)) {
				if sp.Type == Secret {
					t.Errorf("DetectText(%q): Secret %q", text, text[sp.Start:sp.End])
				}
			}
		}
	}
}

// TestBareSecretRandomRecall: generated passwords and keys of the usual
// alphabets and lengths are found, most of them even at 12 bytes.
func TestBareSecretRandomRecall(t *testing.T) {
	c := newCorpus(5)
	floors := []struct {
		name string
		set  string
		n    int
		min  float64
	}{
		{"password", alnum + pwSyms, 12, 0.85},
		{"password", alnum + pwSyms, 16, 0.88},
		{"alnum", alnum, 16, 0.85},
		{"alnum", alnum, 32, 0.95},
		{"base64", b64std, 40, 0.95},
		{"lower+digits", "abcdefghijklmnopqrstuvwxyz0123456789", 40, 0.85},
	}
	for _, f := range floors {
		hit := 0
		const tries = 2000
		for k := 0; k < tries; k++ {
			if bareSecret([]byte(c.rnd(f.set, f.n))) {
				hit++
			}
		}
		r := float64(hit) / tries
		t.Logf("%-12s %2d bytes: %.3f", f.name, f.n, r)
		if r < f.min {
			t.Errorf("%s of %d bytes: recall %.3f < %.2f", f.name, f.n, r, f.min)
		}
	}
}
