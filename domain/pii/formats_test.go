package pii

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// line writes one line (or a few, for stack traces and key blocks).
func (c *corpus) line() {
	if c.chance(c.benign) {
		c.boring()
		return
	}
	switch c.n(15) {
	case 12:
		c.noise()
	case 13:
		c.pythonTrace()
	case 14:
		c.extraSecrets()
	case 0, 1:
		c.syslog()
	case 2, 3:
		c.nginx()
	case 4:
		c.javaTrace()
	case 5:
		c.k8sEvent()
	case 6, 7:
		c.jsonLog()
	case 8:
		c.windowsEvent()
	case 9:
		c.dbError()
	default:
		c.appLog()
	}
}

func (c *corpus) syslog() {
	c.lit(c.syslogTS() + " " + c.pick("web01", "db-02", "bastion", "node7") + " ")
	switch c.n(9) {
	case 0:
		c.litf("sshd[%d]: Accepted publickey for %s from ", c.n(60000), c.pick("deploy", "root", "ubuntu"))
		c.sec(IPv4, c.ipv4())
		c.litf(" port %d ssh2: RSA SHA256:%s", 1024+c.n(60000), c.rnd(b64std, 43))
	case 1:
		c.litf("sshd[%d]: Failed password for invalid user %s from ", c.n(60000), c.pick("admin", "oracle", "test"))
		c.sec(IPv4, c.ipv4())
		c.litf(" port %d ssh2", 1024+c.n(60000))
	case 2:
		c.litf("kernel: [%d.%06d] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx", c.n(99999), c.n(999999))
	case 3:
		c.litf("dhclient[%d]: DHCPACK of ", c.n(9999))
		c.sec(IPv4, c.ipv4())
		c.lit(" from ")
		c.sec(IPv4, c.ipv4())
		c.lit(" (xid=0x" + c.rnd(hexdig, 8) + ")")
	case 4:
		c.litf("systemd[1]: Started %s.service - %s.", c.pick("nginx", "postgresql", "docker"), c.pick("A high performance web server", "Docker Application Container Engine"))
	case 5:
		c.litf("postfix/smtp[%d]: %s: to=<", c.n(99999), c.rnd("0123456789ABCDEF", 10))
		c.sec(Email, c.email())
		c.lit(">, relay=")
		c.sec(Hostname, c.hostname())
		c.lit("[")
		c.sec(IPv4, c.ipv4())
		c.litf("]:25, delay=%s, status=sent (250 2.0.0 OK)", c.duration())
	case 6:
		c.litf("kernel: IN=eth0 OUT= MAC=")
		c.sec(MAC, c.mac())
		c.lit(" SRC=")
		c.sec(IPv4, c.ipv4())
		c.lit(" DST=")
		c.sec(IPv4, c.ipv4())
		c.litf(" LEN=60 TTL=%d PROTO=TCP SPT=%d DPT=22", c.n(255), c.n(65535))
	case 7:
		c.litf("sudo: %s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/systemctl restart app", c.pick("jdoe", "admin"), c.n(5), c.pick("jdoe", "admin"))
	default:
		c.litf("CRON[%d]: (root) CMD (/usr/local/bin/backup.sh --target ", c.n(99999))
		c.sec(Hostname, c.hostname())
		c.lit(" --password ")
		c.sec(Password, c.password())
		c.lit(")")
	}
	c.lit("\n")
}

func (c *corpus) nginx() {
	c.sec(IPv4, c.ipv4())
	c.litf(" - - [%d/%s/2024:%02d:%02d:%02d +0000] \"", 1+c.n(28), c.pick("Jan", "Feb", "Mar"), c.n(24), c.n(60), c.n(60))
	method := c.pick("GET", "POST", "PUT", "DELETE")
	c.lit(method + " ")
	switch c.n(6) {
	case 0:
		c.litf("/api/v1/orders/%d?include=items", c.n(1e6))
	case 1:
		c.lit("/api/v2/login?user=")
		c.sec(Email, c.email())
		c.lit("&token=")
		c.sec(APIKey, c.rnd(alnum, 32))
	case 2:
		c.litf("/static/js/app.%s.js", c.rnd(hexdig, 8))
	case 3:
		c.lit("/reset?api_key=")
		c.sec(APIKey, c.apiKey())
		c.litf("&ts=%s", c.epoch())
	case 4:
		c.litf("/healthz")
	default:
		c.litf("/users/%s/profile", c.uuid())
	}
	c.litf(" HTTP/1.1\" %d %d \"-\" \"%s\"", c.pick3(200, 404, 502), c.n(50000),
		c.pick("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			"curl/8.4.0", "kube-probe/1.28", "python-requests/2.31.0", "Go-http-client/1.1"))
	c.litf(" rt=%d.%03d", c.n(5), c.n(1000))
	c.lit("\n")
}

func (c *corpus) javaTrace() {
	c.litf("%s ERROR [%s] %s - Request failed\n", c.iso(), c.pick("http-nio-8080-exec-3", "main", "kafka-producer-network-thread"), c.javaClass())
	switch c.n(4) {
	case 0:
		c.lit("java.sql.SQLException: Access denied for user 'app'@'")
		c.sec(IPv4, c.ipv4())
		c.lit("' (using password: YES)\n")
	case 1:
		c.lit("org.postgresql.util.PSQLException: Connection to ")
		c.sec(Hostname, c.hostname())
		c.lit(":5432 refused. Check that the hostname and port are correct\n")
	case 2:
		c.lit("java.lang.IllegalStateException: Failed to connect using url ")
		c.sec(ConnectionString, "jdbc:"+c.dbURL())
		c.lit("\n")
	default:
		c.litf("java.util.concurrent.TimeoutException: Timeout after %s waiting for %s\n", c.duration(), c.uuid())
	}
	for k := 0; k < 2+c.n(5); k++ {
		cls := c.javaClass()
		file := cls[strings.LastIndexByte(cls, '.')+1:]
		c.litf("\tat %s.%s(%s.java:%d)\n", cls, c.pick("poll", "handle", "doFilter", "run", "invoke"), file, c.n(900))
	}
	c.litf("\t... %d more\n", c.n(80))
}

func (c *corpus) k8sEvent() {
	c.litf("%s   %s   %s   pod/%s-%s-%s   ", c.pick("Warning", "Normal"), c.pick("5m", "12s", "2m30s"), c.pick("BackOff", "Pulled", "FailedMount", "Scheduled"),
		c.pick("api", "worker", "orders"), c.rnd("abcdef0123456789", 10), c.rnd("abcdefghijklmnopqrstuvwxyz0123456789", 5))
	switch c.n(6) {
	case 0:
		c.lit("Successfully pulled image \"")
		c.sec(Hostname, "registry."+c.pick("example.com", "corp.internal", "acme.io"))
		c.litf("/team/app:%s\" in %s (%s including waiting)", c.version(), c.duration(), c.duration())
	case 1:
		c.lit("MountVolume.SetUp failed for volume \"db-creds\" : secret \"db-creds\" not found")
	case 2:
		c.litf("Successfully assigned default/api-%s to ", c.rnd("abcdef0123456789", 5))
		c.sec(Hostname, c.hostname())
	case 3:
		c.litf("Back-off restarting failed container app in pod api-%s_default(%s)", c.rnd("abcdef0123456789", 5), c.uuid())
	case 4:
		c.lit("Readiness probe failed: Get \"http://")
		c.sec(IPv4, c.ipv4())
		c.litf(":8080/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
	default:
		c.lit("Created container app; env DATABASE_URL=")
		c.sec(ConnectionString, c.dbURL())
	}
	c.lit("\n")
}

func (c *corpus) jsonLog() {
	c.litf(`{"ts":"%s","level":"%s","logger":"%s","trace_id":"%s","span_id":"%s",`, c.iso(), c.pick("info", "warn", "error"),
		c.pick("orders.api", "auth.service", "billing.worker"), c.rnd(hexdig, 32), c.rnd(hexdig, 16))
	switch c.n(12) {
	case 0:
		c.lit(`"msg":"user login","email":"`)
		c.sec(Email, c.email())
		c.lit(`","client_ip":"`)
		c.sec(IPv4, c.ipv4())
		c.lit(`"`)
	case 1:
		c.lit(`"msg":"payment authorized","card":"`)
		c.sec(CreditCard, c.card())
		c.litf(`","amount":%d.%02d,"order_id":"%s"`, c.n(1000), c.n(100), c.id())
	case 2:
		c.lit(`"msg":"config loaded","db":{"host":"`)
		c.sec(Hostname, c.hostname())
		c.lit(`","user":"app","password":"`)
		c.sec(Password, c.password())
		c.lit(`"}`)
	case 3:
		c.lit(`"msg":"outbound request","headers":{"Authorization":"Bearer `)
		c.sec(BearerToken, c.bearer())
		c.lit(`","X-Request-Id":"` + c.uuid() + `"}`)
	case 4:
		c.lit(`"msg":"token refreshed","access_token":"`)
		c.sec(JWT, c.jwt())
		c.litf(`","expires_in":%d,"token_type":"Bearer"`, 3600)
	case 5:
		c.lit(`"msg":"customer updated","phone":"`)
		c.sec(Phone, c.phone())
		c.lit(`","ssn":"`)
		c.sec(SSN, c.ssn())
		c.lit(`"`)
	case 6:
		c.lit(`"msg":"aws client init","credentials":{"AccessKeyId":"`)
		c.sec(AWSAccessKey, c.awsAccess())
		c.lit(`","SecretAccessKey":"`)
		c.sec(AWSSecretKey, c.awsSecret())
		c.lit(`"}`)
	case 7:
		c.lit(`"msg":"request body","body":"{\"username\":\"` + c.user() + `\",\"password\":\"`)
		c.sec(Password, c.password())
		c.lit(`\"}"`)
	case 8:
		c.litf(`"msg":"slow query","duration_ms":%d,"rows":%d,"query_id":"%s","version":"%s"`, c.n(9000), c.n(100000), c.uuid(), c.version())
	case 9:
		c.lit(`"msg":"tls config","key":"`)
		c.sec(PrivateKey, c.pem(`\n`))
		c.lit(`"`)
	case 10:
		c.lit(`"msg":"webhook sent","url":"`)
		c.sec(SlackToken, c.slackHook())
		c.lit(`"`)
	default:
		c.litf(`"msg":"cache miss","key":"user:%d:profile","elapsed":"%s","file":"%s"`, c.n(1e6), c.duration(), c.fileName())
	}
	c.lit("}\n")
}

func (c *corpus) windowsEvent() {
	c.litf("%s Microsoft-Windows-Security-Auditing %d: ", c.iso(), c.pick3(4624, 4625, 4740))
	switch c.n(3) {
	case 0:
		c.litf("An account failed to log on. Subject: Security ID: S-1-5-18 Account Name: %s Account Domain: CORP Logon ID: 0x%s ", c.pick("WS-0231$", "SRV-DC01$"), c.rnd("0123456789ABCDEF", 5))
		c.lit("Workstation Name: WS-0231 Source Network Address: ")
		c.sec(IPv4, c.ipv4())
		c.litf(" Source Port: %d", c.n(65535))
	case 1:
		c.lit("An account was successfully logged on. Account Name: ")
		c.sec(Email, c.email())
		c.lit(" Logon GUID: {" + c.uuid() + "} Process Name: C:\\Windows\\System32\\svchost.exe")
	default:
		c.lit("A user account was locked out. Caller Computer Name: ")
		c.sec(Hostname, strings.ToUpper(c.pick("dc01", "ws-0231", "fs02")+".corp.example.com"))
		c.litf(" Lockout policy: threshold %d attempts within %s", 5, c.duration())
	}
	c.lit("\n")
}

func (c *corpus) dbError() {
	c.litf("%s UTC [%d] ", c.iso(), c.n(99999))
	switch c.n(5) {
	case 0:
		c.litf("FATAL:  password authentication failed for user \"%s\"", c.pick("app", "postgres"))
	case 1:
		c.lit("ERROR:  duplicate key value violates unique constraint \"users_email_key\" DETAIL:  Key (email)=(")
		c.sec(Email, c.email())
		c.lit(") already exists.")
	case 2:
		c.lit("LOG:  connection received: host=")
		c.sec(IPv4, c.ipv4())
		c.litf(" port=%d", c.n(65535))
	case 3:
		c.lit("ERROR:  could not connect: connection string \"")
		c.sec(ConnectionString, c.adoString())
		c.lit("\"")
	default:
		c.lit("STATEMENT:  UPDATE users SET password_hash = '$2b$12$" + c.rnd(b64std, 53) + "' WHERE id = " + c.rnd("0123456789", 6))
	}
	c.lit("\n")
}

func (c *corpus) appLog() {
	c.litf("%s %s [%s] ", c.iso(), c.pick("INFO", "WARN", "ERROR", "DEBUG"), c.pick("main", "worker-3", "scheduler"))
	switch c.n(26) {
	case 0:
		c.lit("Connecting to ")
		c.sec(Hostname, c.hostname())
		c.litf(":%d (attempt %d, timeout %s)", c.pick3(5432, 6379, 9092), 1+c.n(5), c.duration())
	case 1:
		c.lit("Loaded settings from " + c.fileName() + ", build " + c.version() + " commit " + c.rnd(hexdig, 40))
	case 2:
		c.lit("User reset their password, the new password is ")
		c.sec(Password, c.password())
	case 3:
		c.lit("auth: user=" + c.user() + " password=")
		c.sec(Password, c.password())
		c.lit(" result=ok")
	case 4:
		c.lit("github push with token ")
		c.sec(GitHubToken, c.github())
	case 5:
		c.lit("GITLAB_TOKEN=")
		c.sec(GitLabToken, c.gitlab())
		c.lit(" ci job " + c.id())
	case 6:
		c.lit("slack notify token=")
		c.sec(SlackToken, c.slack())
		c.lit(" channel=#alerts")
	case 7:
		c.lit("aws configure: aws_access_key_id=")
		c.sec(AWSAccessKey, c.awsAccess())
		c.lit(" aws_secret_access_key=")
		c.sec(AWSSecretKey, c.awsSecret())
	case 8:
		c.lit("Fetching https://")
		c.sec(URLCredentials, c.pick("admin", "deploy", "ci")+":"+c.password())
		c.lit("@")
		c.sec(Hostname, c.hostname())
		c.lit("/repo/archive.tar.gz")
	case 9:
		c.lit("peer ")
		c.sec(IPv6, c.ipv6())
		c.lit(" connected, mac ")
		c.sec(MAC, c.mac())
	case 10:
		c.lit("password policy updated: min length 12, bypass: false, compass: north, passed: " + fmt.Sprint(c.n(40)))
	case 11:
		c.lit("order " + c.id() + " shipped at " + c.epoch() + " id=" + c.id() + " took " + c.duration())
	case 12:
		c.lit("Call customer at ")
		c.sec(Phone, c.phone())
		c.lit(" regarding ticket " + c.id())
	case 13:
		c.lit("client_secret: ")
		c.sec(APIKey, c.rnd(alnum, 32))
		c.lit(" client_id: " + c.uuid())
	case 14:
		c.lit("Is the password ")
		c.sec(Password, c.pick("password123", "Welcome1!", "changeme2024"))
		c.lit(" good enough?")
	case 15:
		c.lit("time 12:34:56 ratio 1:2 range 10:20 addr :: sha256:" + c.rnd(hexdig, 64) + " version 1.2.3.4 md5 " + c.rnd(hexdig, 32))
	case 16:
		c.litf("apiKey=")
		c.sec(APIKey, c.apiKey())
		c.lit(" region=us-east-1")
	case 17:
		c.lit("SSH key loaded:\n")
		c.sec(PrivateKey, c.pem("\n"))
	case 18:
		c.lit("secret=")
		c.sec(APIKey, c.rnd(alnum+"/+", 24))
	case 19:
		c.lit("X-Api-Key: ")
		c.sec(APIKey, c.apiKey())
	case 20:
		c.lit("notify ")
		c.sec(Email, c.email())
		c.lit(" and ")
		c.sec(Email, c.email())
	case 21:
		c.lit("Thread pool stats " + c.javaClass() + " active=4 queued=0 completed=" + c.id())
	case 22:
		c.lit("DB_URL=")
		c.sec(ConnectionString, c.dbURL())
	case 23:
		c.lit("pwd=")
		c.sec(Password, c.password())
		c.lit(" PWD=/home/app")
	case 24:
		c.lit("node " + c.pick("node-1", "node-2") + " at ")
		c.sec(IPv4, c.ipv4())
		c.lit(" joined, uptime " + c.duration() + ", sessions " + c.id())
	default:
		c.lit("charged card ")
		c.sec(CreditCard, c.card())
		c.lit(" for customer ")
		c.sec(Email, c.email())
		c.lit(" ssn ")
		c.sec(SSN, c.ssn())
	}
	c.lit("\n")
}

// noise writes lines full of things that look like secrets but are not.
func (c *corpus) noise() {
	c.litf("%s %s ", c.iso(), c.pick("INFO", "DEBUG", "WARN"))
	switch c.n(24) {
	case 0:
		c.litf("panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV: segmentation violation code=0x1 addr=0x%s pc=0x%s]", c.rnd(hexdig, 2), c.rnd(hexdig, 6))
	case 1:
		c.litf("goroutine %d [running]: main.(*Server).handle(0xc000%s, {0x%s, 0x%s}) /app/server.go:%d +0x%s", c.n(500), c.rnd(hexdig, 6), c.rnd(hexdig, 6), c.rnd(hexdig, 6), c.n(400), c.rnd(hexdig, 3))
	case 2:
		c.litf("container %s image sha256:%s created %s", c.rnd(hexdig, 64), c.rnd(hexdig, 64), c.iso())
	case 3:
		c.lit("terminate called after throwing an instance of 'std::out_of_range' in std::vector<int>::at, Foo::Bar::baz() and a::b")
	case 4:
		c.litf("report for %02d.%02d.2024 and %d/%02d/%02d and %02d/%02d/2024 %d:%02d:%02d PM", 1+c.n(28), 1+c.n(12), 2024, 1+c.n(12), 1+c.n(28), 1+c.n(12), 1+c.n(28), 1+c.n(12), c.n(60), c.n(60))
	case 5:
		c.litf("cpu=%d.%d%% mem=%d.%dMiB load=%d.%02d %d.%02d %d.%02d ratio=%d:%d pi=3.14159 temp=%d.%dC", c.n(100), c.n(10), c.n(4000), c.n(10), c.n(8), c.n(100), c.n(8), c.n(100), c.n(8), c.n(100), 1+c.n(9), 1+c.n(9), c.n(90), c.n(10))
	case 6:
		c.lit("Started " + c.pick("com.example.app", "io.grpc.internal.ServerImpl", "com.google.cloud.storage.StorageImpl", "org.elasticsearch.cluster.service",
			"net.minecraft.server", "io.micrometer.core.instrument", "com.amazonaws.services.s3.AmazonS3Client", "org.example.demo.DemoApplication") + " in " + c.duration())
	case 7:
		c.litf("token expired for session %s; invalid token; api key missing; secret \"%s\" not found; password must be at least %d characters", c.uuid(), c.pick("db-creds", "tls-cert"), 8+c.n(8))
	case 8:
		c.litf(`{"model":"gpt-4o","max_tokens":%d,"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d},"token_type":"bearer"}`, 4096, c.n(5000), c.n(2000), c.n(7000))
	case 9:
		c.lit(`<root xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" apiVersion="networking.k8s.io/v1" kind="Ingress"/>`)
	case 10:
		c.litf("%s - %s - connection pool full, discarding connection: %s", c.pick("urllib3.connectionpool", "django.request", "uvicorn.error", "sqlalchemy.engine.Engine"), c.pick("WARNING", "ERROR"), c.pick("console.log", "process.env.NODE_ENV", "window.location.href", "self.session.headers"))
	case 11:
		c.litf("ext %d ticket %d-%d order %d-%d-%d job %s CVE-2023-%d release %d.%d.%d-rc.%d+build.%d", c.n(9999), c.n(999), c.n(9999), c.n(999), c.n(999), c.n(999), c.id(), 10000+c.n(50000), c.n(5), c.n(20), c.n(20), c.n(5), c.n(100))
	case 12:
		c.litf("OID 1.3.6.1.4.1.%d.%d.%d value=%d counter64=%d addr=0x%s", c.n(9999), c.n(99), c.n(9), c.n(1e6), c.n(1e9)*1000+c.n(1000), c.rnd(hexdig, 12))
	case 13:
		c.litf("Running on .NET %d.%d, Node.js v%d.%d.%d, Python %d.%d.%d, go%d.%d.%d linux/amd64, Windows version %d.%d.%d.%d", 6+c.n(3), c.n(2), 16+c.n(6), c.n(20), c.n(10), 3, 8+c.n(5), c.n(20), 1, 20+c.n(6), c.n(10), 10, 0, 19041+c.n(4000), c.n(4000))
	case 14:
		c.litf("Processed batch %s: %d records, %d bytes, checksum %s, etag \"%s\", git %s", c.uuid(), c.n(100000), c.n(1e9), c.rnd(hexdig, 40), c.rnd(hexdig, 32), c.rnd(hexdig, 7))
	case 15:
		c.litf("ts=%s epoch=%s ms=%d nanos=%d seq=%d id=%s", c.iso(), c.epoch(), 1700000000000+c.n(1e11), int64(1700000000)*1e9+int64(c.n(1e9)), c.n(1e9), c.id())
	case 16:
		c.litf("user %s bypass: %v compass: %s pass rate: %d%% password policy: complex, password reset requested, passphrase length %d", c.user(), c.chance(0.5), c.pick("N", "NE", "S"), c.n(100), 12+c.n(20))
	case 17:
		c.litf("Resolving deps: requests==2.31.0, urllib3>=1.26.18, numpy~=1.26.4, lodash@4.17.21, @types/node@20.%d.%d", c.n(20), c.n(20))
	case 18:
		c.litf("Listening on 0.0.0.0:%d and [::]:%d, metrics at :%d/metrics", 8000+c.n(1000), 8000+c.n(1000), 9000+c.n(1000))
	case 19:
		c.litf("file %s line %d: unexpected token '}' at column %d; see %s and %s", c.fileName(), c.n(999), c.n(80), c.fileName(), c.fileName())
	case 20:
		c.litf("Authorization header missing; WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"; using password: NO; token: <nil>; api_key=None; secret=null; password=********")
	case 21:
		c.litf("trace %s parent %s sampled=1 duration=%s status=OK http.status_code=200 net.peer.port=%d", c.rnd(hexdig, 32), c.rnd(hexdig, 16), c.duration(), c.n(65535))
	case 22:
		c.litf("%s:%d: warning: unused variable 'x' [-Wunused-variable] in src/lib.rs and pkg/handlers/user.go:%d:%d", c.pick("main.c", "util.cpp", "lib.rs"), c.n(500), c.n(500), c.n(80))
	default:
		c.litf("%d-%02d-%02d %02d:%02d:%02d,%03d [%s] %s : Completed %d in %dms", 2024, 1+c.n(12), 1+c.n(28), c.n(24), c.n(60), c.n(60), c.n(1000), c.pick("pool-1-thread-1", "main"), c.javaClass(), c.n(600), c.n(5000))
	}
	c.lit("\n")
}

// pythonTrace writes a Python traceback.
func (c *corpus) pythonTrace() {
	c.lit("Traceback (most recent call last):\n")
	for k := 0; k < 2+c.n(3); k++ {
		c.litf("  File \"/usr/lib/python3.11/site-packages/%s/%s.py\", line %d, in %s\n", c.pick("requests", "urllib3", "app"), c.pick("adapters", "connectionpool", "views"), c.n(900), c.pick("send", "urlopen", "get"))
		c.litf("    %s\n", c.pick("raise ConnectionError(e, request=request)", "conn = self._new_conn()", "return self.session.get(url, timeout=self.timeout)"))
	}
	switch c.n(3) {
	case 0:
		c.lit("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='")
		c.sec(Hostname, c.hostname())
		c.litf("', port=443): Max retries exceeded with url: /v1/items?page=%d (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x%s>: Failed to establish a new connection: [Errno 111] Connection refused'))\n", c.n(50), c.rnd(hexdig, 12))
	case 1:
		c.lit("psycopg2.OperationalError: connection to server at \"")
		c.sec(Hostname, c.hostname())
		c.lit("\" (")
		c.sec(IPv4, c.ipv4())
		c.lit("), port 5432 failed: FATAL:  password authentication failed for user \"app\"\n")
	default:
		c.litf("KeyError: 'user_id'\n")
	}
}

// extraSecrets writes secrets in less common shapes.
func (c *corpus) extraSecrets() {
	c.litf("%s %s ", c.iso(), c.pick("INFO", "DEBUG", "WARN"))
	switch c.n(24) {
	case 16:
		c.lit(`<add key="SmtpPassword" value="`)
		c.sec(Password, c.password())
		c.lit(`" />`)
	case 17:
		c.lit("curl -sS -u ")
		c.sec(Password, c.pick("admin", "ci-bot")+":"+c.password())
		c.lit(" https://")
		c.sec(Hostname, c.hostname())
		c.lit("/api/health")
	case 18:
		c.lit("WARNING: Using a password on the command line interface can be insecure. mysql -u root -p")
		c.sec(Password, c.password())
		c.lit(" -h ")
		c.sec(Hostname, c.hostname())
	case 19:
		c.lit("vault login token=")
		c.sec(APIKey, "hvs."+c.rnd(b64url, 90))
	case 20:
		c.lit("AccountKey=")
		c.sec(APIKey, c.rnd(b64std, 86)+"==")
		c.lit(";EndpointSuffix=")
		c.sec(Hostname, "core.windows.net")
	case 21:
		c.lit("phone: ")
		c.sec(Phone, fmt.Sprintf("%d %d %04d", 200+c.n(800), 200+c.n(800), c.n(10000)))
		c.lit(", SSN: ")
		c.sec(SSN, fmt.Sprintf("%03d %02d %04d", 1+c.n(600), 1+c.n(98), 1+c.n(9998)))
	case 22:
		c.lit("Old password: ")
		c.sec(Password, c.password())
		c.lit(" New password: ")
		c.sec(Password, c.pick("Spring#2024", "N3wP@ssword", "Xk9!mQ2#vL"))
	case 23:
		c.lit("Set-Cookie: session_token=")
		c.sec(APIKey, c.rnd(alnum, 40))
		c.lit("; Path=/; HttpOnly; Secure")
	case 0:
		c.lit("export PGPASSWORD=")
		c.sec(Password, c.password())
	case 1:
		c.lit("spring.datasource.password=")
		c.sec(Password, c.password())
	case 2:
		c.lit("mysql -h ")
		c.sec(Hostname, c.hostname())
		c.lit(" -u root --password=")
		c.sec(Password, c.password())
	case 3:
		c.lit("<password>")
		c.sec(Password, c.password())
		c.lit("</password>")
	case 4:
		c.lit("curl -H 'Authorization: Basic ")
		c.sec(BearerToken, base64.StdEncoding.EncodeToString([]byte(c.user()+":"+c.password())))
		c.lit("' https://")
		c.sec(Hostname, c.hostname())
		c.lit("/api")
	case 5:
		c.lit("smtp login ")
		c.sec(Email, c.email())
		c.lit(" passwd: ")
		c.sec(Password, c.password())
	case 6:
		c.lit("--token ")
		c.sec(APIKey, c.rnd(alnum, 32))
		c.lit(" --region eu-west-1")
	case 7:
		c.lit("ldap bind uri ldaps://")
		c.sec(URLCredentials, "cn=admin:"+c.password())
		c.lit("@")
		c.sec(Hostname, c.hostname())
		c.lit(":636")
	case 8:
		c.lit("client_secret=")
		c.sec(APIKey, c.rnd(alnum+"-_~.", 34))
		c.lit("&grant_type=client_credentials")
	case 9:
		c.lit("mongodb connection ")
		c.sec(ConnectionString, "mongodb://"+c.pick("admin", "root")+":"+c.rnd(alnum, 14)+"@"+c.hostname()+":27017/admin?authSource=admin")
	case 10:
		c.lit("ipv6 ")
		c.sec(IPv6, c.ipv6())
		c.lit(" gateway ")
		c.sec(IPv6, "fe80::1")
		c.lit(" dns ")
		c.sec(IPv6, fmt.Sprintf("2001:4860:4860::%x", 0x8888+c.n(2)))
	case 11:
		c.lit("wire transfer card_number=")
		c.sec(CreditCard, c.cardDigits())
		c.lit(" cvv=*** exp=12/27")
	case 12:
		c.lit("contact: ")
		c.sec(Phone, fmt.Sprintf("+%d %d %d", 30+c.n(60), 100+c.n(900), 1000000+c.n(9000000)))
		c.lit(", ")
		c.sec(Email, c.email())
	case 13:
		c.lit("JDBC url jdbc:postgresql://")
		c.sec(Hostname, c.hostname())
		c.lit(":5432/app?user=app&password=")
		c.sec(Password, c.rnd(alnum, 12))
		c.lit("&ssl=true")
	case 14:
		c.lit("anthropic key ")
		c.sec(APIKey, "sk-ant-api03-"+c.rnd(b64url, 40))
	default:
		c.lit("secret_key = \"")
		c.sec(APIKey, c.rnd(alnum+"!@#$%^&*(-_=+)", 50))
		c.lit("\"")
	}
	c.lit("\n")
}

// boring writes an everyday log line with nothing sensitive in it.
func (c *corpus) boring() {
	switch c.n(8) {
	case 0:
		c.litf("%s INFO  [%s] %s - Processed %d messages from partition %d in %s (lag %d)\n", c.iso(), c.pick("main", "consumer-1", "worker-2"), c.javaClass(), c.n(5000), c.n(12), c.duration(), c.n(100))
	case 1:
		c.litf("%s DEBUG cache hit ratio %d.%d%%, %d entries, evictions=%d, heap used %dMB of %dMB\n", c.iso(), c.n(100), c.n(10), c.n(100000), c.n(500), c.n(4000), 4096)
	case 2:
		c.litf("time=\"%s\" level=info msg=\"request completed\" method=%s path=/api/v1/%s/%d status=%d duration=%s bytes=%d\n", c.iso(), c.pick("GET", "POST"), c.pick("orders", "items", "users"), c.n(100000), c.pick3(200, 201, 404), c.duration(), c.n(100000))
	case 3:
		c.litf("%s systemd[1]: %s.service: Consumed %d.%03ds CPU time, %d.%dM memory peak.\n", c.syslogTS(), c.pick("backup", "logrotate", "certbot"), c.n(100), c.n(1000), c.n(900), c.n(10))
	case 4:
		c.litf("%s WARN  Retrying job %s (attempt %d of %d) after %s: upstream returned 503 Service Unavailable\n", c.iso(), c.uuid(), 1+c.n(4), 5, c.duration())
	case 5:
		c.litf("[%s] [notice] %d#%d: signal process started, worker processes: %d, connections: %d\n", c.iso(), c.n(9999), c.n(10), 1+c.n(16), c.n(1024))
	case 6:
		c.litf("{\"ts\":\"%s\",\"level\":\"info\",\"msg\":\"scheduler tick\",\"jobs_due\":%d,\"jobs_running\":%d,\"next_run_in\":\"%s\"}\n", c.iso(), c.n(20), c.n(8), c.duration())
	default:
		c.litf("%s INFO  Starting %s v%d.%d.%d on host with PID %d (started by app in /opt/app)\n", c.iso(), c.pick("OrdersApplication", "billing-worker", "gateway"), c.n(4), c.n(20), c.n(10), c.n(60000))
	}
}
