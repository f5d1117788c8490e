package pii

import (
	"fmt"
	"strings"
)

// The typed-text corpus: what people write in chat messages, 5-Whys
// answers, incident descriptions and timeline notes. Bare secrets (labelled
// Secret) stand among names that look random at a glance and are not
// secrets: identifiers, pod and replica set names, commit ids, versions,
// build ids, file and class names, digests.

const (
	k8sAlnum = "bcdfghjklmnpqrstvwxz2456789"
	pwSyms   = "!#$%&*+-=?@^_"
)

var (
	identWords = []string{"user", "account", "order", "payment", "session", "cache", "retry", "handler", "client",
		"server", "config", "token", "request", "response", "invoice", "worker", "queue", "event", "message", "stream",
		"batch", "index", "schema", "tenant", "billing", "metrics", "health", "probe", "router", "manager", "factory"}
	deployments = []string{"api", "web", "payments-worker", "orders", "auth-service", "checkout", "search-indexer",
		"notification-sender", "billing-api", "gateway", "redis-cache", "kafka-consumer"}
	textVerbs = []string{"restarted", "crashed", "timed out", "was OOM-killed", "failed its readiness probe",
		"returned 502s", "stopped consuming", "lost its lease", "hit the connection limit"}
)

// ident returns an identifier in one of the usual cases.
func (c *corpus) ident() string {
	n := 2 + c.n(3)
	words := make([]string, n)
	for i := range words {
		words[i] = c.pick(identWords...)
	}
	switch c.n(6) {
	case 0: // camelCase
		for i := 1; i < n; i++ {
			words[i] = strings.ToUpper(words[i][:1]) + words[i][1:]
		}
		return strings.Join(words, "")
	case 1: // PascalCase, sometimes with an acronym or a number
		for i := range words {
			words[i] = strings.ToUpper(words[i][:1]) + words[i][1:]
		}
		return c.pick("", "HTTP", "S3", "Base64", "UTF8", "V2") + strings.Join(words, "")
	case 2:
		return strings.Join(words, "_")
	case 3:
		return strings.ToUpper(strings.Join(words, "_"))
	case 4:
		return strings.Join(words, "-")
	default: // Java or Go qualified name
		pascal := func(w string) string { return strings.ToUpper(w[:1]) + w[1:] }
		if c.chance(0.5) {
			return "com." + c.pick("example", "acme", "contoso") + "." + words[0] + "." + pascal(words[1]) + pascal(words[n-1]) + c.pick("", "$Builder", "$1", "Impl")
		}
		return words[0] + ".(*" + pascal(words[1]) + ")." + pascal(words[n-1])
	}
}

// podName returns a Kubernetes pod, replica set or container name.
func (c *corpus) podName() string {
	d := c.pick(deployments...)
	switch c.n(4) {
	case 0:
		return d + "-" + c.rnd(k8sAlnum, 10)
	case 1:
		return d + "-" + c.rnd(k8sAlnum, 5)
	case 2:
		return "k8s_" + c.pick("app", "POD") + "_" + d + "-" + c.rnd(k8sAlnum, 9) + "-" + c.rnd(k8sAlnum, 5) + "_default_" + fmt.Sprint(c.n(5))
	default:
		return d + "-" + c.rnd(k8sAlnum, 9+c.n(2)) + "-" + c.rnd(k8sAlnum, 5)
	}
}

// lookalike returns a string that is not a secret.
func (c *corpus) lookalike() string {
	switch c.n(14) {
	case 0, 1:
		return c.ident()
	case 2, 3:
		return c.podName()
	case 4:
		return c.rnd(hexdig, c.pick3(7, 12, 40)) // commit, container id
	case 5:
		return c.uuid()
	case 6:
		return c.version() + c.pick("", "-rc."+fmt.Sprint(1+c.n(5)), "+build."+fmt.Sprint(c.n(100)), "-alpine3.19")
	case 7:
		return c.pick("build-", "ci-", "run-", "") + fmt.Sprintf("2024%02d%02d.%d", 1+c.n(12), 1+c.n(28), 1+c.n(9))
	case 8:
		return c.fileName()
	case 9:
		return c.javaClass() + c.pick("", ".java:"+fmt.Sprint(c.n(900)), "$Inner")
	case 10:
		return "sha256:" + c.rnd(hexdig, 64)
	case 11:
		return c.pick("acme/", "team/", "library/", "") + c.pick(deployments...) + ":" + c.version()
	case 12:
		return c.iso()
	default:
		return c.pick("INC", "CHG", "PRB") + fmt.Sprintf("%07d", c.n(1e7))
	}
}

// bareSecretValue returns a password or key of the kind people paste: a
// generated password (upper and lower case, digits and usually a symbol,
// as password policies ask) or a random API key without a vendor prefix.
func (c *corpus) bareSecretValue() string {
	switch c.n(4) {
	case 0, 1:
		for {
			set := alnum
			if c.chance(0.7) {
				set += pwSyms
			}
			s := c.rnd(set, 12+c.n(13))
			var m uint16
			for i := 0; i < len(s); i++ {
				m |= class[s[i]]
			}
			if m&cUpper != 0 && m&cLower != 0 && m&cDigit != 0 {
				return s
			}
		}
	case 2:
		return c.rnd(alnum, c.pick3(24, 32, 40))
	default:
		return c.rnd(b64std, 40) + c.pick("", "=", "==")
	}
}

// textLine writes one typed-text entry: an incident description, a why,
// a timeline note or a chat message.
func (c *corpus) textLine() {
	look := func() { c.lit(c.lookalike()) }
	bare := func() { c.sec(Secret, c.bareSecretValue()) }
	switch c.n(12) {
	case 0:
		c.litf("Why %d: %s ", 1+c.n(5), c.pick("because", "the reason is that", "it turned out"))
		look()
		c.litf(" %s after ", c.pick(textVerbs...))
		look()
		c.lit(" was rolled out.")
	case 1:
		c.litf("%02d:%02d %s paged; ", c.n(24), c.n(60), c.pick(firstNames...))
		look()
		c.litf(" %s, rolled back to ", c.pick(textVerbs...))
		look()
		c.lit(".")
	case 2:
		c.lit("The DB user is " + c.pick(firstNames...) + " and the password is ")
		c.sec(Password, c.bareSecretValue())
		c.lit(c.pick("", ".", " (rotated since)"))
	case 3:
		c.lit(c.pick("use ", "try ", "I pasted ", "the new one is ", "old key ", "login with "))
		bare()
		c.lit(c.pick("", ".", " for the staging DB", " into the job config, sorry", "!"))
	case 4:
		bare()
	case 5:
		c.lit(c.pick(`it was "`, "it was '", "value `", "(", "[", "“"))
		bare()
		c.lit(c.pick(`" in the ticket`, "' in the wiki", "` in the env", ") above", "] in the screenshot", "” in chat"))
	case 6:
		c.lit("Pod ")
		look()
		c.lit(" on node ")
		look()
		c.litf(" %s; image ", c.pick(textVerbs...))
		look()
		c.lit(", commit ")
		c.lit(c.rnd(hexdig, 7))
		c.lit(".")
	case 7:
		c.lit("Incident: ")
		look()
		c.lit(" threw ")
		look()
		c.lit(" in ")
		look()
		c.lit(c.pick(".", ", see the runbook.", ""))
	case 8:
		c.lit("contact ")
		c.sec(Email, c.email())
		c.lit(" about ")
		look()
	case 9:
		c.lit(c.pick("svc account ", "creds: ", "bob / ", "the token for CI is ") + c.user() + " ")
		bare()
	case 10:
		look()
		c.lit(" ")
		look()
		c.lit(" ")
		look()
	default:
		c.litf("%s said the deploy of ", c.pick(firstNames...))
		look()
		c.litf(" at %s took %s", c.iso(), c.duration())
		c.lit(c.pick(".", "!", "?", ""))
	}
	c.lit("\n")
}

// generateText writes typed-text entries until the text holds size bytes.
func (c *corpus) generateText(size int) {
	for len(c.buf) < size {
		c.textLine()
	}
}
