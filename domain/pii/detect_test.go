package pii

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// found renders the spans of text as "Type:value" strings.
func found(text string) []string {
	var out []string
	for _, sp := range Detect([]byte(text)) {
		out = append(out, fmt.Sprintf("%s:%s", sp.Type, text[sp.Start:sp.End]))
	}
	return out
}

// detectCase is one table test: the spans expected in text, as
// "Type:value", in order. An empty want means nothing may be found.
type detectCase struct {
	text string
	want []string
}

func runCases(t *testing.T, cases []detectCase) {
	t.Helper()
	for _, tc := range cases {
		got := found(tc.text)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Detect(%q)\n got %q\nwant %q", tc.text, got, tc.want)
		}
	}
}

// none returns cases that must produce no span.
func none(texts ...string) []detectCase {
	out := make([]detectCase, len(texts))
	for i, s := range texts {
		out[i] = detectCase{text: s}
	}
	return out
}

func TestEmail(t *testing.T) {
	runCases(t, []detectCase{
		{"contact john.doe@example.com now", []string{"Email:john.doe@example.com"}},
		{"to=<Jane_Smith+alerts@corp.example.co.uk>,", []string{"Email:Jane_Smith+alerts@corp.example.co.uk"}},
		{`"email":"a.b-c@mail.acme.io"`, []string{"Email:a.b-c@mail.acme.io"}},
		{"mailto:ops@example.org.", []string{"Email:ops@example.org"}},
		{"Key (email)=(wei.chen@globex.cloud) already exists", []string{"Email:wei.chen@globex.cloud"}},
	})
	runCases(t, none(
		"@Override public void run()",
		"logo@2x.png and icon@3x.jpg",
		"lodash@4.17.21 @types/node@20.1.0",
		"Access denied for user 'root'@'localhost'",
		"root@web01:~# ls",
		"image nginx@sha256:abcdef",
		"@@@@@ a@b @.com",
	))
}

func TestIPv4(t *testing.T) {
	runCases(t, []detectCase{
		{"Server 192.168.1.1 is down", []string{"IPv4:192.168.1.1"}},
		{"src=10.0.0.5:8080 dst=[172.16.0.1]", []string{"IPv4:10.0.0.5", "IPv4:172.16.0.1"}},
		{"from 203.0.113.5 port 22", []string{"IPv4:203.0.113.5"}},
		{"lo 127.0.0.1 and 127.53.0.1 not, 128.0.0.1 is", []string{"IPv4:128.0.0.1"}},
		{"cidr 10.0.0.0/8,", []string{"IPv4:10.0.0.0"}},
	})
	runCases(t, none(
		"version 1.2.3.4",
		"app_version=10.2.0.4",
		"release: 4.1.0.12",
		"upgraded to v1.2.3.4",
		"Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36",
		"OID 1.3.6.1.4.1.2021",
		"Windows 10.0.19045.3693",
		"256.1.1.1 and 1.2.3 and 1.2.3.4.5",
		"build 1.2.3.4-beta",
		"listen 0.0.0.0:80 mask 255.255.255.255 netmask 255.255.255.0",
		"pi=3.14159 ratio 1.5",
		"2024.01.15 15.01.2024",
	))
}

func TestIPv6(t *testing.T) {
	runCases(t, []detectCase{
		{"addr 2001:0db8:85a3:0000:0000:8a2e:0370:7334 up", []string{"IPv6:2001:0db8:85a3:0000:0000:8a2e:0370:7334"}},
		{"peer 2001:db8::8a2e:370:7334,", []string{"IPv6:2001:db8::8a2e:370:7334"}},
		{"ll fe80::1ff:fe23:4567:890a%eth0", []string{"IPv6:fe80::1ff:fe23:4567:890a"}},
		{"lo ::1 mapped ::ffff:192.0.2.128", []string{"IPv6:::ffff:192.0.2.128"}},
		{"[2001:db8::1]:443", []string{"IPv6:2001:db8::1"}},
		{"prefix 2001:db8::", []string{"IPv6:2001:db8::"}},
	})
	runCases(t, none(
		"listening on [::]:8080",
		"loopback ::1 and [::1]:5432 and 0:0:0:0:0:0:0:1 and ::ffff:127.0.0.1",
		"bound to 0.0.0.0:8080 and 127.0.0.1:5432, 127.0.1.1 and ::",
		"at 12:34:56 and 10:23:45.123",
		"std::vector<int>::at Foo::Bar a::b",
		"add::beef dead::",
		"ratio 1:2 range 10:20",
		"key user:42:profile",
		":::::: ::",
	))
}

func TestMAC(t *testing.T) {
	runCases(t, []detectCase{
		{"MAC=00:1A:2B:3C:4D:5E SRC", []string{"MAC:00:1A:2B:3C:4D:5E"}},
		{"hw aa-bb-cc-dd-ee-ff.", []string{"MAC:aa-bb-cc-dd-ee-ff"}},
		{"cisco 001a.2b3c.4d5e", []string{"MAC:001a.2b3c.4d5e"}},
	})
	runCases(t, none(
		"00:1A:2B:3C:4D",
		"00:1A:2B:3C:4D:5E:6F:70:81",
		"12:34:56",
	))
}

func TestCreditCard(t *testing.T) {
	runCases(t, []detectCase{
		{"card 4111111111111111 ok", []string{"CreditCard:4111111111111111"}},
		{"card 4111 1111 1111 1111.", []string{"CreditCard:4111 1111 1111 1111"}},
		{"card 5500-0000-0000-0004", []string{"CreditCard:5500-0000-0000-0004"}},
		{"amex 3782 822463 10005", []string{"CreditCard:3782 822463 10005"}},
		{"amex 378282246310005", []string{"CreditCard:378282246310005"}},
		{"disc 6011111111111117", []string{"CreditCard:6011111111111117"}},
		{"visa13 4222222222222", []string{"CreditCard:4222222222222"}},
		{"mc 5555 5555 5555 4444 end", []string{"CreditCard:5555 5555 5555 4444"}},
	})
	runCases(t, none(
		"card 4111111111111112",                   // Luhn fails
		"ts 1700000000000 ns 1700000000000000000", // epoch ms / ns
		"id 1234567890123456",                     // bad issuer prefix
		"span 4111111111111111111111",             // too long
		"order 4111-1111-1111",                    // too short
		"version 4.1111111111111111",
	))
}

func TestSSN(t *testing.T) {
	runCases(t, []detectCase{
		{"ssn 123-45-6789", []string{"SSN:123-45-6789"}},
		{`"ssn":"078-05-1120"`, []string{"SSN:078-05-1120"}},
		{"SSN: 123 45 6789", []string{"SSN:123 45 6789"}},
		{"customer_ssn=123456789", []string{"SSN:123456789"}},
		{"social security number 123456789", []string{"SSN:123456789"}},
	})
	runCases(t, none(
		"000-12-3456", "666-12-3456", "900-12-3456", "999-99-9999",
		"123-00-4567", "123-45-0000",
		"2024-01-15", "123-45-67890", "ID-123-45-6789",
		"ssn=000123456", "id 123456789", "123 45 6789",
	))
}

func TestPhone(t *testing.T) {
	runCases(t, []detectCase{
		{"call (555) 123-4567 now", []string{"Phone:(555) 123-4567"}},
		{"call 555-123-4567", []string{"Phone:555-123-4567"}},
		{"call 555.123.4567", []string{"Phone:555.123.4567"}},
		{"call +1 555 123 4567", []string{"Phone:+1 555 123 4567"}},
		{"call +1-555-123-4567", []string{"Phone:+1-555-123-4567"}},
		{"call 1-800-555-1234", []string{"Phone:1-800-555-1234"}},
		{"call +44 20 7946 0958", []string{"Phone:+44 20 7946 0958"}},
		{"call +49 30 1234567", []string{"Phone:+49 30 1234567"}},
		{"call +33 1 23 45 67 89", []string{"Phone:+33 1 23 45 67 89"}},
		{"call +4915123456789", []string{"Phone:+4915123456789"}},
		{"phone: 555 123 4567", []string{"Phone:555 123 4567"}},
		{`"mobilePhone":"5551234567"`, []string{"Phone:5551234567"}},
		{"phone number is 15551234567", []string{"Phone:15551234567"}},
		{`"msisdn":"447911123456"`, []string{"Phone:447911123456"}},
		{"call +7 (495) 123-45-67 now", []string{"Phone:+7 (495) 123-45-67"}},
		{"call +44 (0)20 7946 0958.", []string{"Phone:+44 (0)20 7946 0958"}},
		{"call +91-98765-43210", []string{"Phone:+91-98765-43210"}},
		{"call (555)555-5555", []string{"Phone:(555)555-5555"}},
		{"call +1.555.555.5555", []string{"Phone:+1.555.555.5555"}},
		{"tel +1 (555) 123-4567", []string{"Phone:+1 (555) 123-4567"}},
	})
	runCases(t, none(
		"id=5551234567",
		"ts=1700000000",
		"order 1234567890 shipped",
		"tz +0000 and +05:30",
		"555 123 4567",
		"v1.555.123.4567",
		"ticket 123-4567",
		"range 555-123-4567-89",
		"order 555-123-4567 shipped",
		"invoice #555.123.4567",
		"request_id=555-123-4567",
		"count 555 123 4567",
	))
}

func TestURLCredentials(t *testing.T) {
	runCases(t, []detectCase{
		{"GET https://admin:S3cr3t!@api.internal.corp:8443/v1 200", []string{"URLCredentials:https://admin:S3cr3t!@api.internal.corp:8443/v1"}},
		{"ftp://user:pa^ss@files:21/x", []string{"URLCredentials:ftp://user:pa^ss@files:21/x"}},
		{"(ldaps://cn=admin:pw@ldap.example.com:636).", []string{"URLCredentials:ldaps://cn=admin:pw@ldap.example.com:636"}},
		{`"https://x-access-token:ghs_abc@github.com/org/repo.git"`, []string{"URLCredentials:https://x-access-token:ghs_abc@github.com/org/repo.git"}},
	})
	runCases(t, []detectCase{
		{"see https://example.com/a:b@c", []string{"Hostname:example.com"}},
		{"git@github.com:org/repo.git", []string{"Email:git@github.com"}},
	})
}

func TestConnectionString(t *testing.T) {
	runCases(t, []detectCase{
		{"postgres://app:pa55w0rd@db01.prod.example.com:5432/app?sslmode=require ok",
			[]string{"ConnectionString:postgres://app:pa55w0rd@db01.prod.example.com:5432/app?sslmode=require"}},
		{`url="mongodb+srv://u:p4ss@cluster0.abc.mongodb.net/db?retryWrites=true"`,
			[]string{"ConnectionString:mongodb+srv://u:p4ss@cluster0.abc.mongodb.net/db?retryWrites=true"}},
		{"redis://:secretpw@cache.internal:6379/0", []string{"ConnectionString:redis://:secretpw@cache.internal:6379/0"}},
		{"amqp://guest:guest@mq:5672/", []string{"ConnectionString:amqp://guest:guest@mq:5672/"}},
		{"mysql://root:r00t@10.0.0.5:3306/shop", []string{"ConnectionString:mysql://root:r00t@10.0.0.5:3306/shop"}},
		{"sqlserver://sa:P@ssw0rd@sql01:1433?database=app", []string{"ConnectionString:sqlserver://sa:P@ssw0rd@sql01:1433?database=app"}},
		{"jdbc:postgresql://db:5432/app?user=app&password=secret1", []string{"ConnectionString:jdbc:postgresql://db:5432/app?user=app&password=secret1"}},
		{`conn="Server=tcp:db01.example.com,1433;Database=app;User Id=sa;Password=P@ssw0rd;Encrypt=true"`,
			[]string{"ConnectionString:Server=tcp:db01.example.com,1433;Database=app;User Id=sa;Password=P@ssw0rd;Encrypt=true"}},
		{"Driver={ODBC Driver 17 for SQL Server};Server=sql01;Uid=app;Pwd=p4ss;",
			[]string{"ConnectionString:Driver={ODBC Driver 17 for SQL Server};Server=sql01;Uid=app;Pwd=p4ss;"}},
		{"Data Source=sql01;Initial Catalog=crm;User ID=app;Password=hunter22;",
			[]string{"ConnectionString:Data Source=sql01;Initial Catalog=crm;User ID=app;Password=hunter22;"}},
	})
	runCases(t, []detectCase{
		{"postgres://db01.prod.example.com:5432/app", []string{"Hostname:db01.prod.example.com"}},
		{"Password=hunter22; timeout=5", []string{"Password:hunter22"}},
		{"postgres://app:****@db01.prod.example.com/app", []string{"Hostname:db01.prod.example.com"}},
		{"https://user:${TOKEN}@git.example.com/x", []string{"Hostname:git.example.com"}},
	})
}

func TestBearerToken(t *testing.T) {
	runCases(t, []detectCase{
		{"Authorization: Bearer abcDEF123456ghiJKL789_-.~+/=", []string{"BearerToken:Bearer abcDEF123456ghiJKL789_-.~+/="}},
		{`{"Authorization":"Bearer KL~wv~~Ni-x1tTK39LkOV4Ay"}`, []string{"BearerToken:Bearer KL~wv~~Ni-x1tTK39LkOV4Ay"}},
		{"curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='", []string{"BearerToken:Basic dXNlcjpwYXNzd29yZA=="}},
		{"authorization: token 0123456789abcdef0123", []string{"BearerToken:token 0123456789abcdef0123"}},
		{"sent bearer 0123456789abcdef0123", []string{"BearerToken:bearer 0123456789abcdef0123"}},
	})
	runCases(t, none(
		`WWW-Authenticate: Bearer realm="api", error="invalid_token"`,
		"missing bearer token",
		`"token_type":"Bearer"`,
		"Bearer <redacted>",
		"Authorization header missing",
	))
}

func TestJWT(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	runCases(t, []detectCase{
		{"token " + jwt + " end", []string{"JWT:" + jwt}},
		{"Authorization: Bearer " + jwt, []string{"BearerToken:Bearer " + jwt}},
		{`{"access_token":"` + jwt + `"}`, []string{"JWT:" + jwt}},
		{"unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiJhYmMifQ.", []string{"JWT:eyJhbGciOiJub25lIn0.eyJzdWIiOiJhYmMifQ."}},
	})
	runCases(t, none("eyJhbGciOi.short", "eyJ"))
}

func TestAPIKeyValues(t *testing.T) {
	runCases(t, []detectCase{
		{"api_key=AbCdEf1234567890XyZ&format=json", []string{"APIKey:AbCdEf1234567890XyZ"}},
		{"/v1?x=1&api_key=AbCdEf1234567890XyZ&y=2", []string{"APIKey:AbCdEf1234567890XyZ"}},
		{`{"api_key": "AbCdEf1234567890XyZ"}`, []string{"APIKey:AbCdEf1234567890XyZ"}},
		{"apikey: 0123456789abcdef0123456789abcdef", []string{"APIKey:0123456789abcdef0123456789abcdef"}},
		{"X-Api-Key: k3y-abcdef123456", []string{"APIKey:k3y-abcdef123456"}},
		{"token=tok_9f8e7d6c5b4a", []string{"APIKey:tok_9f8e7d6c5b4a"}},
		{"access_token = 'ya29.a0AfH6SMB'", []string{"APIKey:ya29.a0AfH6SMB"}},
		{"secret: Zm9vYmFyYmF6cXV4", []string{"APIKey:Zm9vYmFyYmF6cXV4"}},
		{"client_secret=abc~DEF.123-xyz_456", []string{"APIKey:abc~DEF.123-xyz_456"}},
		{"clientSecret: \"s3cr3t-V4lue-99\"", []string{"APIKey:s3cr3t-V4lue-99"}},
		{"APP_SECRET=Zm9vYmFyYmF6cXV4 JWTSECRET=Zm9vYmFyYmF6cXV5", []string{"APIKey:Zm9vYmFyYmF6cXV4", "APIKey:Zm9vYmFyYmF6cXV5"}},
		{"X-Auth-Token: 9f8e7d6c5b4a39281706", []string{"APIKey:9f8e7d6c5b4a39281706"}},
		{"refreshToken=rt_0123456789abcdef", []string{"APIKey:rt_0123456789abcdef"}},
		{"app.secret-key=Zm9vYmFyYmF6cXV4 jwt.signing.key: 'c2lnbmluZ2tleTE5'", []string{"APIKey:Zm9vYmFyYmF6cXV4", "APIKey:c2lnbmluZ2tleTE5"}},
		{`{\"token\":\"tok_ABCdef123456\"}`, []string{"APIKey:tok_ABCdef123456"}},
		{"--token abcdef0123456789ABCD --region x", []string{"APIKey:abcdef0123456789ABCD"}},
		{"<secret>Q29ycmVjdEhvcnNl9</secret>", []string{"APIKey:Q29ycmVjdEhvcnNl9"}},
		{`<add key="SmtpPassword" value="M4ilP@ss!" />`, []string{"Password:M4ilP@ss!"}},
		{`<property name="password">jdbcS3cret</property>`, []string{"Password:jdbcS3cret"}},
		{"Vault token hvs.CAESIJ1234567890abcdefghijklmnop issued", []string{"APIKey:hvs.CAESIJ1234567890abcdefghijklmnop"}},
		{"sk_live_4eC39HqLyjWDarjtT1zdp7dc", []string{"APIKey:sk_live_4eC39HqLyjWDarjtT1zdp7dc"}},
		{"key sk-proj-abcdEFGH1234ijklMNOP5678", []string{"APIKey:sk-proj-abcdEFGH1234ijklMNOP5678"}},
		{"AIzaSyD-1234567890abcdefghijklmnopqrstu", []string{"APIKey:AIzaSyD-1234567890abcdefghijklmnopqrstu"}},
		{"webhook whsec_abc123DEF456ghi789xyz", []string{"APIKey:whsec_abc123DEF456ghi789xyz"}},
		{"mail 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 ok",
			[]string{"APIKey: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"}},
		{"hf hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", []string{"APIKey:hf_abcdefghijklmnopqrstuvwxyzABCDEFGH"}},
	})
	runCases(t, none(
		"max_tokens: 4096",
		`"prompt_tokens":12,"total_tokens":40`,
		"token: <nil>",
		"api_key=None secret=null token=undefined",
		"token expired; invalid token",
		`secret "db-creds" not found`,
		`volume \"db-secret\" : secret \"db-secret\" not found`,
		"secret: my-secret",
		"tokenizer: bpe token_count: 55",
		"token: 12345",
		"private_key: /etc/ssl/private/server.key secret_file=./certs/a.pem",
		"api_key_path=~/.config/key token=C:\\keys\\token.txt",
		`"nextToken": "AQICAHhJ2b3c4d5e6f7g8h9i0j"`,
		"page_token=CAESBgoEMTIzNA continuationToken=abc123def456",
		"mytoken=abc123def456ghi",
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-credentials-AbCdEf",
	))
}

func TestPassword(t *testing.T) {
	runCases(t, []detectCase{
		{"password=hunter2 user=bob", []string{"Password:hunter2"}},
		{"Password: S3cret! next", []string{"Password:S3cret!"}},
		{`{"password": "p@ss w0rd"}`, []string{"Password:p@ss w0rd"}},
		{"passwd=abc123", []string{"Password:abc123"}},
		{"pwd: Qwerty99", []string{"Password:Qwerty99"}},
		{"pass=hunter2", []string{"Password:hunter2"}},
		{"db_password=Tr0ub4dor&3", []string{"Password:Tr0ub4dor&3"}},
		{"PGPASSWORD=s3cr3t psql", []string{"Password:s3cr3t"}},
		{"spring.datasource.password=changeit", []string{"Password:changeit"}},
		{"dbPassword: 'x9!x9'", []string{"Password:x9!x9"}},
		{"--password yYYejEayuJ&o=k)", []string{"Password:yYYejEayuJ&o=k"}},
		{"<password>P@ss1</password>", []string{"Password:P@ss1"}},
		{"Is the password password123 good", []string{"Password:password123"}},
		{"the password is Summer2024!", []string{"Password:Summer2024!"}},
		{"the new password is EPCCNzHcgmzgEfKC", []string{"Password:EPCCNzHcgmzgEfKC"}},
		{"password for bob is Welcome1!", []string{"Password:Welcome1!"}},
		{"changed password to 'N3w-Pass'", []string{"Password:N3w-Pass"}},
		{"the password for the admin account is Tr0ub4dor&3", []string{"Password:Tr0ub4dor&3"}},
		{"My password is 'correct horse battery staple'", []string{"Password:correct horse battery staple"}},
		{"Password for ops@example.com is: Summer2024!", []string{"Email:ops@example.com", "Password:Summer2024!"}},
		{`SET password = 'Zx12!'`, []string{"Password:Zx12!"}},
		{"curl -u admin:hunter2 https://ci/x", []string{"Password:admin:hunter2"}},
		{"curl --user deploy:S3cret! -X POST", []string{"Password:deploy:S3cret!"}},
		{"mysql -u admin -pSup3rS3cret! -h db", []string{"Password:Sup3rS3cret!"}},
		{"docker run -e POSTGRES_PASSWORD=mysecretpassword postgres", []string{"Password:mysecretpassword"}},
	})
	runCases(t, none(
		"bypass: true",
		"compass: north",
		"password policy updated",
		"password policy: complex",
		"password reset requested",
		"Failed password for invalid user admin",
		"Accepted password for root",
		`FATAL: password authentication failed for user "app"`,
		"(using password: YES) (using password: NO)",
		"password=******** password: [REDACTED] password=${DB_PASSWORD}",
		"password = ? and pwd = $1 and pass = :pass",
		"password must be at least 12 characters",
		"pass: 12 fail: 0",
		"PWD=/home/app pwd: /var/lib",
		"passphrase length 16",
		"password_hash = '$2b$12$abc'",
		"ls -u root -p 8080 -pretty",
		"curl -u https://x -u admin",
		"password: |",
		"password=***REDACTED***",
	))
}

func TestAWSKeys(t *testing.T) {
	runCases(t, []detectCase{
		{"aws_access_key_id=AKIAIOSFODNN7EXAMPLE", []string{"AWSAccessKey:AKIAIOSFODNN7EXAMPLE"}},
		{"key ASIAY34FZKBOKMUTVV7A used", []string{"AWSAccessKey:ASIAY34FZKBOKMUTVV7A"}},
		{"aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", []string{"AWSSecretKey:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
		{`"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"`, []string{"AWSSecretKey:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
		{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", []string{"AWSSecretKey:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
		{"AWS_SECRET=wJalrXUtnFEMI7K7MDENG8bPxRfiCYEXAMPLEKEY", []string{"AWSSecretKey:wJalrXUtnFEMI7K7MDENG8bPxRfiCYEXAMPLEKEY"}},
		{"creds=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", []string{"AWSSecretKey:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
	})
	runCases(t, none(
		"AKIAIOSFODNN7EXAMPL",                             // 19
		"AKIAIOSFODNN7EXAMPLEX",                           // 21
		"commit=da39a3ee5e6b4b0d3255bfef95601890afd80709", // sha1
		"etag=0123456789ABCDEFabcdef0123456789ABCDEFab",   // 42
	))
}

func TestVendorTokens(t *testing.T) {
	gh := "ghp_" + strings.Repeat("aB3", 12)
	runCases(t, []detectCase{
		{"push with " + gh, []string{"GitHubToken:" + gh}},
		{"token=" + gh, []string{"GitHubToken:" + gh}},
		{"github_pat_11ABCDEFG0123456789abc_defghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW",
			[]string{"GitHubToken:github_pat_11ABCDEFG0123456789abc_defghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW"}},
		{"GITLAB_TOKEN=glpat-xxxxxxxxxx-xxxxxxxx12", []string{"GitLabToken:glpat-xxxxxxxxxx-xxxxxxxx12"}},
		{"slack xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx", []string{"SlackToken:xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx"}},
		{"app xapp-1-A0123456789-0123456789012-abcdef", []string{"SlackToken:xapp-1-A0123456789-0123456789012-abcdef"}},
		{"hook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
			[]string{"SlackToken:https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"}},
	})
	runCases(t, none("ghp_short", "glpat-short", "xoxb-1", "gho_ is a prefix"))
}

func TestPrivateKey(t *testing.T) {
	block := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234567890abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL\nabcdefghijklmnopqrstuvwxyz==\n-----END RSA PRIVATE KEY-----"
	runCases(t, []detectCase{
		{"key:\n" + block + "\nnext line 10.0.0.1", []string{"PrivateKey:" + block, "IPv4:10.0.0.1"}},
		{`{"key":"` + strings.ReplaceAll(block, "\n", `\n`) + `"}`, []string{"PrivateKey:" + strings.ReplaceAll(block, "\n", `\n`)}},
	})
	openssh := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----"
	runCases(t, []detectCase{{openssh, []string{"PrivateKey:" + openssh}}})
	// A truncated key covers its header and body lines.
	trunc := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nMIIEvQIBADANBgkq"
	runCases(t, []detectCase{{trunc + "\n2024-01-15 INFO done", []string{"PrivateKey:" + trunc}}})
	runCases(t, none(
		"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
		"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
		"-----BEGIN-----BEGIN PRIVATE",
	))
}

func TestHostname(t *testing.T) {
	runCases(t, []detectCase{
		{"Connecting to db01.prod.example.com:5432", []string{"Hostname:db01.prod.example.com"}},
		{"relay=api.internal.corp[10.0.0.1]", []string{"Hostname:api.internal.corp", "IPv4:10.0.0.1"}},
		{"node ip-10-0-1-23.ec2.internal joined", []string{"Hostname:ip-10-0-1-23.ec2.internal"}},
		{"svc kafka-0.kafka-headless.default.svc.cluster.local", []string{"Hostname:kafka-0.kafka-headless.default.svc.cluster.local"}},
		{"host=cache-02.us-east-1.internal.", []string{"Hostname:cache-02.us-east-1.internal"}},
		{"Caller Computer Name: DC01.CORP.EXAMPLE.COM", []string{"Hostname:DC01.CORP.EXAMPLE.COM"}},
		{"pulled registry.example.com/team/app:1.2.3", []string{"Hostname:registry.example.com"}},
		{"host='nas.local', port=443", []string{"Hostname:nas.local"}},
		{"smtp.example.co.in and web.service.consul", []string{"Hostname:smtp.example.co.in", "Hostname:web.service.consul"}},
	})
	runCases(t, none(
		"wrote app.log and config.yaml from main.go",
		"at org.apache.kafka.clients.NetworkClient.poll(NetworkClient.java:123)",
		"class com.example.Foo loaded; com.example.app started; io.grpc.internal.ServerImpl",
		"net.sf.ehcache.Cache java.util.concurrent.TimeoutException",
		"MountVolume.SetUp failed",
		"self.session.headers console.log process.env.NODE_ENV",
		"v1.2.3 1.2.3 go1.21.5 kafka_2.13-3.4.0",
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" networking.k8s.io/v1",
		"README.md index.html deploy.sh backup.tar.gz server.key",
		"e.g. i.e. etc.",
		"trace.id span.id user.name",
		"cp .env.local .env.production; ASP.NET Core on socket.io",
	))
}

func TestOverlapPriority(t *testing.T) {
	// A token that is both an API key value and a GitHub token is
	// reported once, as the type listed first.
	gh := "ghp_" + strings.Repeat("x1Y", 12)
	runCases(t, []detectCase{
		{"token=" + gh, []string{"GitHubToken:" + gh}},
		// The Bearer span, longer, beats the JWT inside it.
		{"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop",
			[]string{"BearerToken:Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop"}},
		// The longer connection string beats the host and password inside it.
		{"DB=postgres://u:p4ss@db.example.com/x?password=zz", []string{"ConnectionString:postgres://u:p4ss@db.example.com/x?password=zz"}},
		// The e-mail address beats its domain.
		{"mail jane@db.example.com", []string{"Email:jane@db.example.com"}},
	})
}

func TestTypes(t *testing.T) {
	types := Types()
	if len(types) != int(numKinds) || types[0] != PrivateKey || types[len(types)-1] != Hostname {
		t.Fatalf("Types() = %v", types)
	}
	seen := map[Type]bool{}
	for _, typ := range types {
		if seen[typ] {
			t.Errorf("duplicate %s", typ)
		}
		seen[typ] = true
		if typ.Token() != "["+string(typ)+"]" || !typ.Valid() {
			t.Errorf("%s: token %q", typ, typ.Token())
		}
	}
	if Email.Token() != "[Email]" || Type("Nope").Valid() {
		t.Error("token or validity wrong")
	}
	// The caller's slice is a copy.
	types[0] = "x"
	if Types()[0] != PrivateKey {
		t.Error("Types returned shared storage")
	}
}
