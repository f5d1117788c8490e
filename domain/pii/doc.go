// Package pii finds personal data and secrets in log text and redacts them.
//
// Detect returns the spans of sensitive values, Redact replaces them with
// tokens such as "[Email]", and Scanner and RedactWriter do the same over a
// stream. The package is pure: no I/O, standard library only, safe for
// concurrent use (each call has its own state).
//
// # How it works
//
// Detection is one pass over the bytes, line by line. A table of byte
// classes splits each line into words ([A-Za-z0-9_]+); most words are
// skipped after a couple of table lookups, and only the bytes around a
// word decide which hand-written validator runs: digits followed by '.',
// ':' or '-' (addresses, phone, card and social security numbers), a word
// followed by '.' (host names), "://" (URLs), '=' or ':' after a key name
// (key=value secrets), a few fixed prefixes (AKIA, ghp_, glpat-, xoxb-,
// eyJ, ...), and the bytes '(', '+', "::" and "-----BEGIN". A separate
// bytes.IndexByte pass handles '@' for e-mail addresses. Timestamps are
// stepped over whole. No regular expression is used.
//
// Values never cross a line, except private key blocks. Lines longer than
// 256 KiB are cut into 256 KiB pieces. Every scan is bounded (values 8 KiB,
// URLs 4 KiB, tokens 16 KiB, key blocks 64 KiB) and rescans are avoided, so
// the cost is linear in the input whatever it holds.
//
// When candidates overlap, the longer one wins; for equal lengths the type
// listed first by Types wins (token=ghp_... is a GitHubToken, not an
// APIKey).
//
// # Types and what keeps them from firing on look-alikes
//
//   - PrivateKey: "-----BEGIN <label>-----" whose label contains PRIVATE KEY
//     (RSA, EC, OPENSSH, ENCRYPTED, PGP ... BLOCK) through the matching END
//     line, also with JSON-escaped "\n". Certificates and public keys are
//     not reported. Without an END within 64 KiB, the header and the base64
//     lines after it.
//   - ConnectionString: database and broker URLs (postgres, postgresql,
//     mysql, mariadb, mongodb, mongodb+srv, redis, rediss, amqp, amqps,
//     sqlserver, mssql, oracle, ...) that carry a password in the user info
//     or as a password= parameter, whole, with a "jdbc:" prefix; and
//     ADO.NET/ODBC strings (Server=...;Database=...;User Id=...;Password=...)
//     of three or more pairs naming a server, database or user. Without
//     credentials a database URL is just a host.
//   - URLCredentials: any other URL with "user:secret@" in its authority,
//     reported whole (scheme to end), so it covers whatever part a reader
//     calls the secret.
//   - SlackToken: xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xapp- tokens and
//     https://hooks.slack.com/services/... webhook URLs.
//   - JWT: "eyJ" and three base64url parts, the first two ten bytes or
//     more; the signature may be empty.
//   - AWSAccessKey: AKIA, ASIA (and AIDA, AROA, AGPA, ANPA, ANVA, AIPA)
//     and 16 upper-case letters or digits, as a whole word.
//   - AWSSecretKey: 40 base64 bytes with upper case, lower case and digits,
//     as the value of aws_secret_access_key, SecretAccessKey or any *secret*
//     key, or of any key=value when the key mentions aws, secret or key or
//     the value holds '/' or '+'. SHA-1 hex digests never qualify.
//   - GitHubToken: ghp_, gho_, ghu_, ghs_, ghr_ and 30+ letters or digits;
//     github_pat_ and 22+ more.
//   - GitLabToken: glpat-, gldt-, glrt-, glptt-, glsoat-, glcbt- and 20+.
//   - BearerToken: "Bearer <token>" (the word included) with at least eight
//     token bytes that have a digit, mixed case or 20+ bytes; "Bearer
//     realm=", "bearer token" and "token_type": "Bearer" are not tokens.
//     Also the credential of an Authorization header ("Basic X", "Token X").
//   - APIKey: the value of api_key, apikey, api-key, x-api-key, token,
//     access_token, refresh_token, secret, client_secret, secret_key,
//     private_key, AccountKey, ... in key=value, key: value, "key": "value",
//     \"key\":\"value\", <key>value</key>, name="key">value<,
//     key="key" value="value" and --key value forms. Key names
//     match as whole words (start, '_', '-', '.', camelCase or ALLCAPS
//     boundary). The value needs 8+ bytes and a digit, mixed case, a symbol
//     or 16+ bytes, and must not be a stop word (null, none, expired,
//     invalid, ...), a placeholder (${X}, {{x}}, %s, <x>, ?, $1, :name) or
//     masked (****, [REDACTED]). Pagination handles (nextToken, page_token)
//     and counters (max_tokens: 4096) are not keys. Vendor-prefixed keys
//     count anywhere: sk_live_, sk_test_, rk_live_, whsec_, sk-, AIza,
//     npm_, pypi-, hf_, dop_v1_, shpat_, shpss_, SG., hvs.
//   - Password: the value of password, passwd, passphrase (any compound:
//     db_password, PGPASSWORD, spring.datasource.password), pwd and pass
//     (whole words only, so "bypass:" and "compass:" are not keys), with
//     the same stop words, placeholders and masks as APIKey ("using
//     password: YES" is not a password); pwd=/home/app is a directory.
//     Plain language: "the password is X", "password was set to X",
//     "password for bob is X", "Is the password password123 good" when X
//     has letters with digits or symbols (or, after a verb, mixed case), so
//     "password policy", "password reset" and "password authentication
//     failed" are left alone. Command lines: "-u user:secret", "--user
//     user:secret", mysql "-pSECRET".
//   - Secret: typed text only (DetectText, not Detect): a random-looking
//     password or key standing on its own, without a key name ("use
//     X9#kd!2mQp7z for the DB"). Between white space, without quotes,
//     brackets and trailing punctuation, or the value of name=value: 10-256
//     printable ASCII bytes with three of upper case, lower case, digits
//     and symbols (two without symbols from 20 bytes), an entropy near the
//     most its length allows, and classes mixed as in random strings, not
//     as in words and names. Never identifiers (camelCase, snake_case,
//     kebab-case, com.example.Foo$Inner), paths and file names, URLs,
//     e-mail addresses, versions (v1.2.3-rc.1+build.5), numbers and
//     timestamps, hex (hashes, commit ids, UUIDs, MACs), digests
//     (sha256:..., SHA256:...), password hashes ($2b$...), SSH public keys,
//     ULIDs, typed ids (req_..., cus_...), Kubernetes pod names
//     (api-7d9f8b6c4-x2x9q), placeholders, or anything another rule
//     reports.
//   - Email: local@domain with a 1-64 byte local part and a domain of two or
//     more DNS labels ending in an alphabetic top level that is not a file
//     extension ("logo@2x.png", "@Override", "lodash@4.17.21" are not
//     addresses).
//   - CreditCard: 13-19 digits, contiguous or in the usual groups (4-4-4-4,
//     4-6-5, 4-6-4, 4-4-4-4-3) with one kind of separator, a known issuer
//     prefix and length (Visa, Mastercard, Amex, Discover, Diners, JCB,
//     UnionPay, Maestro) and a valid Luhn digit. Numbers starting with 0, 1,
//     7, 8 or 9 (epoch milliseconds, snowflake ids) and values of *id keys
//     (span_id=..., "order_id": ...) are never cards.
//   - SSN: ###-##-#### with the SSA rules (area 000, 666 and 900-999, group
//     00 and serial 0000 are never issued), not glued to other digits or
//     dashes (dates, 123-45-67890, ID-123-45-6789). Without dashes only
//     after "SSN" or "social security".
//   - Phone: (555) 123-4567, 555-123-4567 and 555.123.4567 (one kind of
//     separator), 1-800-555-1234, +1 555 123 4567, +1 (555) 123-4567, and
//     "+CC" international numbers of 10-15 digits in groups. Bare digit runs
//     (ids, epoch seconds like 1700000000) and "555 123 4567" count only
//     after a word such as phone, tel, mobile or fax. After order, invoice,
//     ticket, ref or an *_id key a dashed number is a reference, not a phone.
//     Time zone offsets (+0000, +05:30) are too short.
//   - MAC: six two-digit hex groups joined by ':' or '-', or Cisco
//     0011.2233.4455.
//   - IPv6: full, compressed ("::") and IPv4-suffixed forms with at least one
//     digit; "::" alone, "[::]", times (12:34:56), C++ scopes (std::vector)
//     and words such as "add::beef" are not addresses.
//   - IPv4: dotted quads with parts 0-255, not glued to letters or to more
//     dotted numbers (OIDs, five-part versions), not 0.0.0.0 or
//     255.255.255.255, and not versions: after version, ver, v, release,
//     build, firmware, kernel, driver, ... ("version 1.2.3.4",
//     "app_version=1.2.3.4"), after "<product>/" (Chrome/120.0.0.0), as an
//     image tag (.../app:1.2.3.4) or before "-beta".
//   - Hostname: fully qualified names, see hostname for the rules: a known
//     TLD or internal suffix (com, net, org, io, internal, local, corp, lan,
//     cloud, dev, svc, consul, country codes; two-letter codes under co.,
//     com., org., ...), not a file extension (app.log, config.yaml, main.go,
//     Foo.java), not a reverse-DNS code name (org.apache..., com.example.Foo,
//     io.netty...), no mixed-case labels (MountVolume.SetUp), no
//     underscores, and not a schema domain (k8s.io, w3.org).
package pii
