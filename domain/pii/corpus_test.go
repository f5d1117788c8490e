package pii

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
)

// label is one secret planted by the corpus generator.
type label struct {
	Type       Type
	Start, End int
}

// corpus builds a realistic mixed log with labelled secrets. Everything the
// generator writes with lit is meant to be left alone; everything written
// with sec is a secret the detector must cover.
type corpus struct {
	r      *rand.Rand
	buf    []byte
	labels []label
	// noLabels skips label bookkeeping (benchmark data).
	noLabels bool
	// benign is the share of lines that are everyday application chatter
	// with nothing to find.
	benign float64
}

// newCorpus returns a generator with a fixed seed.
func newCorpus(seed uint64) *corpus {
	return &corpus{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// generate writes lines until the log holds at least size bytes.
func (c *corpus) generate(size int) {
	for len(c.buf) < size {
		c.line()
	}
}

func (c *corpus) lit(s string)               { c.buf = append(c.buf, s...) }
func (c *corpus) litf(f string, a ...any)    { c.buf = fmt.Appendf(c.buf, f, a...) }
func (c *corpus) n(k int) int                { return c.r.IntN(k) }
func (c *corpus) pick(list ...string) string { return list[c.r.IntN(len(list))] }
func (c *corpus) chance(p float64) bool      { return c.r.Float64() < p }

// sec writes a secret and labels it.
func (c *corpus) sec(t Type, v string) {
	start := len(c.buf)
	c.buf = append(c.buf, v...)
	if !c.noLabels {
		c.labels = append(c.labels, label{t, start, len(c.buf)})
	}
}

const (
	alnum   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upperDg = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	hexdig  = "0123456789abcdef"
	b64url  = alnum + "-_"
	b64std  = alnum + "+/"
)

// rnd returns n random bytes from set.
func (c *corpus) rnd(set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[c.r.IntN(len(set))]
	}
	return string(b)
}

// ---- secrets -------------------------------------------------------------

var (
	firstNames = []string{"john", "jane", "maria", "wei", "olga", "ahmed", "lucas", "priya", "tom", "sven", "ana", "kenji"}
	lastNames  = []string{"doe", "smith", "garcia", "chen", "ivanova", "hassan", "martin", "patel", "mueller", "berg", "silva", "sato"}
	domains    = []string{"example.com", "corp.example.org", "acme.io", "contoso.com", "fabrikam.net", "company.co.uk", "mail.example.de", "globex.cloud"}
	subdomains = []string{"prod", "staging", "dev", "us-east-1", "eu-west-2", "internal", "dc1", "corp"}
	hostBases  = []string{"db01", "db-02", "api", "web3", "cache-02", "kafka-1", "es-node-4", "auth", "gw", "vault", "ldap01", "smtp", "mq-2", "k8s-master-1", "jenkins", "git"}
	internalTL = []string{"internal", "corp", "local", "lan", "example.com", "example.net", "acme.io", "intra.example.org", "svc.cluster.local"}
)

func (c *corpus) email() string {
	f, l := c.pick(firstNames...), c.pick(lastNames...)
	var local string
	switch c.n(5) {
	case 0:
		local = f + "." + l
	case 1:
		local = f[:1] + l + fmt.Sprint(c.n(100))
	case 2:
		local = f + "_" + l
	case 3:
		local = f + "+alerts"
	default:
		local = f
	}
	if c.chance(0.1) {
		local = strings.ToUpper(local[:1]) + local[1:]
	}
	return local + "@" + c.pick(domains...)
}

func (c *corpus) hostname() string {
	switch c.n(6) {
	case 0:
		return fmt.Sprintf("ip-10-%d-%d-%d.ec2.internal", c.n(256), c.n(256), c.n(256))
	case 1:
		return fmt.Sprintf("%s-%d.%s-headless.%s.svc.cluster.local", c.pick("kafka", "redis", "zk", "mongo"), c.n(5), c.pick("kafka", "redis", "zk", "mongo"), c.pick("default", "prod", "data"))
	case 2:
		return c.pick(hostBases...) + "." + c.pick(internalTL...)
	default:
		return c.pick(hostBases...) + "." + c.pick(subdomains...) + "." + c.pick(domains...)
	}
}

func (c *corpus) ipv4() string {
	switch c.n(4) {
	case 0:
		return fmt.Sprintf("10.%d.%d.%d", c.n(256), c.n(256), 1+c.n(254))
	case 1:
		return fmt.Sprintf("192.168.%d.%d", c.n(256), 1+c.n(254))
	case 2:
		return fmt.Sprintf("172.%d.%d.%d", 16+c.n(16), c.n(256), 1+c.n(254))
	default:
		first := 1 + c.n(223)
		if first == 127 { // loopback names no person's host: never a secret
			first = 128
		}
		return fmt.Sprintf("%d.%d.%d.%d", first, c.n(256), c.n(256), 1+c.n(254))
	}
}

func (c *corpus) ipv6() string {
	g := func() string { return fmt.Sprintf("%x", c.n(0x10000)) }
	switch c.n(6) {
	case 0:
		parts := make([]string, 8)
		for i := range parts {
			parts[i] = fmt.Sprintf("%04x", c.n(0x10000))
		}
		return strings.Join(parts, ":")
	case 1:
		return "fe80::" + g() + ":" + g() + ":" + g() + ":" + fmt.Sprintf("%x", 1+c.n(0xfff0))
	case 2:
		return fmt.Sprintf("2001:db8:%x::%x", c.n(0x10000), 1+c.n(0xfff0))
	case 3:
		return "::ffff:" + c.ipv4()
	case 4:
		return fmt.Sprintf("2a01:%x:%x:%x::%x", c.n(0x10000), c.n(0x10000), c.n(0x10000), 1+c.n(0xff))
	default:
		parts := []string{"2600", g(), g(), g(), g(), g(), g(), g()}
		if c.chance(0.5) {
			return strings.ToUpper(strings.Join(parts, ":"))
		}
		return strings.Join(parts, ":")
	}
}

func (c *corpus) mac() string {
	sep := c.pick(":", "-")
	parts := make([]string, 6)
	for i := range parts {
		parts[i] = fmt.Sprintf("%02x", c.n(256))
	}
	m := strings.Join(parts, sep)
	if c.chance(0.5) {
		m = strings.ToUpper(m)
	}
	return m
}

// cardDigits returns a valid card number of a random brand.
func (c *corpus) cardDigits() string {
	var prefix string
	n := 16
	switch c.n(6) {
	case 0, 1:
		prefix = "4" + c.rnd("0123456789", 5)
	case 2:
		prefix = "5" + string("12345"[c.n(5)]) + c.rnd("0123456789", 4)
	case 3:
		prefix = c.pick("34", "37") + c.rnd("0123456789", 4)
		n = 15
	case 4:
		prefix = "6011" + c.rnd("0123456789", 2)
	default:
		prefix = "2" + string("234567"[c.n(6)]) + c.rnd("0123456789", 4)
	}
	body := []byte(prefix + c.rnd("0123456789", n-len(prefix)-1) + "0")
	for d := byte('0'); d <= '9'; d++ {
		body[n-1] = d
		if luhn(body) {
			break
		}
	}
	return string(body)
}

func (c *corpus) card() string {
	d := c.cardDigits()
	switch c.n(3) {
	case 0:
		return d
	default:
		sep := c.pick(" ", "-")
		if len(d) == 15 {
			return d[:4] + sep + d[4:10] + sep + d[10:]
		}
		return d[:4] + sep + d[4:8] + sep + d[8:12] + sep + d[12:]
	}
}

func (c *corpus) ssn() string {
	area := 1 + c.n(899)
	if area == 666 {
		area = 667
	}
	return fmt.Sprintf("%03d-%02d-%04d", area, 1+c.n(99), 1+c.n(9999))
}

func (c *corpus) phone() string {
	a, b, l := 200+c.n(800), 200+c.n(800), c.n(10000)
	switch c.n(8) {
	case 0:
		return fmt.Sprintf("(%d) %d-%04d", a, b, l)
	case 1:
		return fmt.Sprintf("%d-%d-%04d", a, b, l)
	case 2:
		return fmt.Sprintf("%d.%d.%04d", a, b, l)
	case 3:
		return fmt.Sprintf("+1 %d %d %04d", a, b, l)
	case 4:
		return fmt.Sprintf("+1-%d-%d-%04d", a, b, l)
	case 5:
		return fmt.Sprintf("+44 20 %04d %04d", c.n(10000), c.n(10000))
	case 6:
		return fmt.Sprintf("+49 30 %d", 1000000+c.n(9000000))
	default:
		return fmt.Sprintf("+33 %d %02d %02d %02d %02d", 1+c.n(9), c.n(100), c.n(100), c.n(100), c.n(100))
	}
}

func (c *corpus) password() string {
	switch c.n(7) {
	case 0:
		return c.pick("Summer", "Winter", "Spring", "Autumn") + fmt.Sprint(2019+c.n(7)) + c.pick("!", "#", "$", "")
	case 1:
		return c.pick("P@ssw0rd", "Passw0rd!", "hunter2", "letmein123", "Tr0ub4dor&3", "qwerty!234", "Admin@123")
	case 2:
		return c.rnd(alnum, 10) + c.pick("!", "@", "#", "%", "^", "*") + c.rnd(alnum, 3)
	case 3:
		return c.rnd(alnum, 16)
	case 4:
		return c.pick("correct", "purple", "rocket", "silent") + "-" + c.pick("horse", "monkey", "river", "cloud") + "-" + fmt.Sprint(c.n(1000))
	case 5:
		return c.rnd(alnum+"!#$%&*+-=?@^_", 14)
	default:
		return c.rnd("abcdefghijklmnopqrstuvwxyz", 6) + fmt.Sprint(10+c.n(90))
	}
}

func (c *corpus) apiKey() string {
	switch c.n(4) {
	case 0:
		return c.rnd(hexdig, 32)
	case 1:
		return "sk_live_" + c.rnd(alnum, 24)
	case 2:
		return c.rnd(alnum, 40)
	default:
		return "key-" + c.rnd(alnum, 28)
	}
}

func (c *corpus) jwt() string {
	hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT","kid":"` + c.rnd(alnum, 8) + `"}`))
	payload := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"%d","name":"%s","iat":%d,"exp":%d}`,
		c.n(1e6), c.pick(firstNames...), 1700000000+c.n(1e7), 1710000000+c.n(1e7))))
	return hdr + "." + payload + "." + c.rnd(b64url, 43)
}

func (c *corpus) bearer() string {
	if c.chance(0.5) {
		return c.jwt()
	}
	return c.rnd(b64url+".~", 40+c.n(40))
}

func (c *corpus) awsAccess() string { return c.pick("AKIA", "ASIA") + c.rnd(upperDg, 16) }
func (c *corpus) awsSecret() string {
	for {
		s := c.rnd(b64std, 40)
		if awsSecretShape([]byte(s)) {
			return s
		}
	}
}
func (c *corpus) github() string {
	if c.chance(0.2) {
		return "github_pat_" + c.rnd(alnum, 22) + "_" + c.rnd(alnum, 59)
	}
	return c.pick("ghp_", "gho_", "ghu_", "ghs_", "ghr_") + c.rnd(alnum, 36)
}
func (c *corpus) gitlab() string { return "glpat-" + c.rnd(b64url, 20) }
func (c *corpus) slack() string {
	return c.pick("xoxb-", "xoxp-", "xoxa-", "xoxr-") + fmt.Sprint(1e11+c.n(9e11)) + "-" + fmt.Sprint(1e11+c.n(9e11)) + "-" + c.rnd(alnum, 24)
}
func (c *corpus) slackHook() string {
	return "https://hooks.slack.com/services/T" + c.rnd(upperDg, 8) + "/B" + c.rnd(upperDg, 8) + "/" + c.rnd(alnum, 24)
}

func (c *corpus) pem(nl string) string {
	kind := c.pick("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY")
	var b strings.Builder
	b.WriteString("-----BEGIN " + kind + "-----" + nl)
	lines := 3 + c.n(20)
	for i := 0; i < lines; i++ {
		b.WriteString(c.rnd(b64std, 64) + nl)
	}
	b.WriteString(c.rnd(b64std, 20) + "==" + nl)
	b.WriteString("-----END " + kind + "-----")
	return b.String()
}

func (c *corpus) dbURL() string {
	user := c.pick("app", "admin", "svc_orders", "postgres", "root", "reporting")
	pw := c.rnd(alnum, 12) + c.pick("", "!", "#", "%40x")
	host := c.hostname()
	switch c.n(7) {
	case 0:
		return fmt.Sprintf("postgres://%s:%s@%s:5432/%s?sslmode=require", user, pw, host, c.pick("orders", "app", "billing"))
	case 1:
		return fmt.Sprintf("postgresql://%s:%s@%s/app", user, pw, host)
	case 2:
		return fmt.Sprintf("mysql://%s:%s@%s:3306/shop", user, pw, host)
	case 3:
		return fmt.Sprintf("mongodb+srv://%s:%s@cluster0.%s.mongodb.net/prod?retryWrites=true&w=majority", user, pw, c.rnd("abcdefghijklmnopqrstuvwxyz0123456789", 5))
	case 4:
		return fmt.Sprintf("redis://:%s@%s:6379/0", pw, host)
	case 5:
		return fmt.Sprintf("amqp://%s:%s@%s:5672/vhost", user, pw, host)
	default:
		return fmt.Sprintf("sqlserver://%s:%s@%s:1433?database=app", user, pw, host)
	}
}

func (c *corpus) adoString() string {
	return fmt.Sprintf("Server=tcp:%s,1433;Initial Catalog=%s;Persist Security Info=False;User ID=%s;Password=%s;MultipleActiveResultSets=False;Encrypt=True;",
		c.hostname(), c.pick("orders", "crm"), c.pick("sa", "appuser"), c.password())
}

// ---- noise that must be left alone ----------------------------------------

func (c *corpus) uuid() string {
	return c.rnd(hexdig, 8) + "-" + c.rnd(hexdig, 4) + "-4" + c.rnd(hexdig, 3) + "-a" + c.rnd(hexdig, 3) + "-" + c.rnd(hexdig, 12)
}
func (c *corpus) pick3(a, b, d int) int {
	switch c.n(3) {
	case 0:
		return a
	case 1:
		return b
	}
	return d
}
func (c *corpus) version() string {
	switch c.n(5) {
	case 0:
		return fmt.Sprintf("%d.%d.%d", c.n(5), c.n(30), c.n(20))
	case 1:
		return fmt.Sprintf("v%d.%d.%d", c.n(5), c.n(30), c.n(20))
	case 2:
		return fmt.Sprintf("%d.%d.%d-SNAPSHOT", c.n(5), c.n(30), c.n(20))
	case 3:
		return fmt.Sprintf("%d.%d.%d.%d", c.n(20), c.n(30), c.n(200), c.n(9999))
	default:
		return fmt.Sprintf("%d.%d", c.n(20), c.n(100))
	}
}
func (c *corpus) duration() string {
	switch c.n(4) {
	case 0:
		return fmt.Sprintf("%dms", c.n(5000))
	case 1:
		return fmt.Sprintf("%d.%03ds", c.n(60), c.n(1000))
	case 2:
		return fmt.Sprintf("%dm%ds", c.n(60), c.n(60))
	default:
		return fmt.Sprintf("00:%02d:%02d.%03d", c.n(60), c.n(60), c.n(1000))
	}
}
func (c *corpus) iso() string {
	return fmt.Sprintf("2024-%02d-%02dT%02d:%02d:%02d.%03dZ", 1+c.n(12), 1+c.n(28), c.n(24), c.n(60), c.n(60), c.n(1000))
}
func (c *corpus) epoch() string { return fmt.Sprint(1600000000 + c.n(200000000)) }
func (c *corpus) syslogTS() string {
	return fmt.Sprintf("%s %2d %02d:%02d:%02d", c.pick("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1+c.n(28), c.n(24), c.n(60), c.n(60))
}

// id returns a numeric or alphanumeric identifier that is not a secret.
func (c *corpus) id() string {
	switch c.n(6) {
	case 0:
		return fmt.Sprint(1000000000 + c.n(8999999999)) // bare 10 digits
	case 1:
		return fmt.Sprintf("ORD-%d-%06d", 2020+c.n(5), c.n(1000000))
	case 2:
		return c.rnd("0123456789", 7)
	case 3:
		return "req_" + c.rnd(alnum, 16)
	case 4:
		return fmt.Sprint(1700000000000 + c.n(1e11)) // epoch millis
	default:
		return c.rnd(hexdig, 16)
	}
}
func (c *corpus) javaClass() string {
	return c.pick("org.apache.kafka.clients.NetworkClient", "com.example.orders.OrderService", "io.netty.channel.nio.NioEventLoop",
		"org.springframework.web.servlet.DispatcherServlet", "com.zaxxer.hikari.pool.HikariPool", "net.sf.ehcache.Cache",
		"org.hibernate.engine.jdbc.spi.SqlExceptionHelper", "com.acme.billing.api.InvoiceController")
}
func (c *corpus) fileName() string {
	return c.pick("app.log", "config.yaml", "main.go", "settings.json", "/var/log/nginx/access.log", "index.html", "deploy.sh",
		"requirements.txt", "server.properties", "docker-compose.yml", "Dockerfile", "/etc/ssl/private/server.key", "README.md", "backup.tar.gz", "script.py")
}
func (c *corpus) user() string {
	return c.pick(firstNames...) + c.pick("", ".", "_") + c.pick(lastNames...)
}
