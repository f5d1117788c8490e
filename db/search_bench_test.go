package db_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
)

// benchIssues is the number of incidents BenchmarkSearch seeds.
const benchIssues = 100_000

// benchDB is the seeded database, made once per test binary and dropped by TestMain.
var benchDB struct {
	once sync.Once
	db   *db.DB
	drop func() error
	err  error
}

// dropBenchDB closes and drops the benchmark's database, if one was made.
func dropBenchDB() {
	if benchDB.db == nil {
		return
	}
	benchDB.db.Close()
	if err := benchDB.drop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

// Vocabulary for the seeded incidents: English filler (mostly stop words, as in real prose),
// common operations words that appear in about a third of incidents, and specific terms that
// appear in a few percent.
var (
	benchFiller = strings.Fields(`the a an and or of to in on at for with from after before during
		was were is are be been has had have it this that when while then again still all some
		users team we our they seems looks cannot can not no after about around since`)
	benchCommon = strings.Fields(`error errors failed failing timeout timeouts slow latency outage
		down unavailable restart restarted crash crashed alert alerts warning degraded service
		server servers host node cluster network connection connections request requests response
		users login access disk memory cpu load queue database backup deploy deployment update
		config configuration certificate storage traffic monitoring dashboard logs metrics job
		jobs process application api`)
	benchSpecific = strings.Fields(`kerberos ldap saml oauth okta dns dhcp bgp ospf vlan vpn wifi
		firewall proxy nginx apache haproxy envoy istio kubernetes pod pods kubelet etcd helm docker
		containerd postgres postgresql mysql mariadb oracle mongodb redis kafka rabbitmq zookeeper
		elasticsearch opensearch prometheus grafana loki splunk datadog pagerduty jenkins gitlab
		terraform ansible puppet vmware vsphere esxi vcenter hyperv proxmox raid nvme ssd san nas
		iscsi multipath ilo idrac firmware bios psu fan temperature ups switch router sip pbx
		voip trunk codec jitter packet loss mtu tls ssl handshake expired renewal cron systemd
		journald selinux apparmor iptables nftables conntrack oom killer swap inode ext4 xfs zfs
		lvm nfs smb cifs samba active directory gpo exchange outlook teams sharepoint onedrive
		windows linux ubuntu rhel debian centos patch kernel driver printer scanner badge camera
		replication lag deadlock vacuum index query slowlog failover primary replica quorum
		split brain leader election heartbeat snapshot restore retention s3 bucket blob azure aws
		gcp lambda ec2 rds vnet subnet nat gateway peering route53 cloudflare cdn waf ddos spam
		phishing malware ransomware edr siem mfa token session cookie csrf cors websocket grpc
		graphql rest webhook payload schema migration rollback canary bluegreen feature flag
		throttling ratelimit 502 503 504 401 403 404 500 sigkill sigsegv coredump panic
		stacktrace heap leak gc threadpool latencyspike p99 sla slo`)
)

// benchQueries are searches people make, rotated through by both benchmarks.
var benchQueries = []string{
	"timeout", "kerberos", "disk full", "dns", "certificate expired", "replication lag",
	"nginx 502", "oom killer", "database", "vpn", "memory leak", "ldap", "packet loss",
	"deadlock", "kubernetes pod", "firmware", "login", "raid", "cron", "latency",
}

// mustSeedBenchDB returns the benchmark's database, seeding it on first use.
func mustSeedBenchDB(b *testing.B) *db.DB {
	b.Helper()
	if os.Getenv(dbtest.EnvVar) == "" {
		b.Skipf("%s is not set", dbtest.EnvVar)
	}
	benchDB.once.Do(func() {
		benchDB.err = seedBenchDB(b)
	})
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	return benchDB.db
}

// seedBenchDB creates the benchmark's database and fills it with benchIssues incidents made by
// SQL from the vocabulary, then vacuums and analyses it.
func seedBenchDB(b *testing.B) error {
	ctx := context.Background()
	start := time.Now()
	dsn, drop, err := dbtest.NewDatabase(ctx)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, dsn)
	if err != nil {
		drop()
		return err
	}
	d.AuditKeys = dbtest.AuditKeys()
	benchDB.db, benchDB.drop = d, drop

	// Titles: 4–8 words, mostly operations words with a specific term or two. Descriptions:
	// 30–110 words, about 45% filler, 35% common and 20% specific words. Each subquery names
	// g so that it is evaluated per row.
	_, err = d.Pool.Exec(ctx, `
		INSERT INTO issues (id, title, description, severity, category, status, created_at, updated_at, resolved_at)
		SELECT gen_random_uuid(), t.title, t.description,
		       (ARRAY['critical','high','medium','low'])[1 + (g % 4)],
		       (ARRAY['general','linux','windows','network','kubernetes','databases'])[1 + (g % 6)],
		       (ARRAY['open','triaging','investigating','resolved','closed'])[1 + (g % 5)],
		       t.at, t.at + interval '1 hour' * (g % 48),
		       CASE WHEN g % 5 >= 3 THEN t.at + interval '1 hour' * (g % 48) END
		FROM generate_series(1, $4::int) g
		CROSS JOIN LATERAL (
			SELECT
				initcap((SELECT string_agg(CASE WHEN random() < 0.65 THEN ($2::text[])[1 + floor(random() * cardinality($2::text[]))::int]
				                                 ELSE ($3::text[])[1 + floor(random() * cardinality($3::text[]))::int] END, ' ')
				         FROM generate_series(1, 4 + g % 5) n)) AS title,
				(SELECT string_agg(CASE WHEN r < 0.45 THEN ($1::text[])[1 + floor(random() * cardinality($1::text[]))::int]
				                        WHEN r < 0.80 THEN ($2::text[])[1 + floor(random() * cardinality($2::text[]))::int]
				                        ELSE ($3::text[])[1 + floor(random() * cardinality($3::text[]))::int] END, ' ')
				 FROM (SELECT random() AS r FROM generate_series(1, 30 + g % 81) n) words) || '.' AS description,
				now() - interval '1 minute' * floor(random() * 525600 * 2) AS at
		) t`,
		benchFiller, benchCommon, benchSpecific, benchIssues)
	if err != nil {
		return fmt.Errorf("seed incidents: %w", err)
	}
	if _, err := d.Pool.Exec(ctx, `VACUUM ANALYZE issues`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	b.Logf("seeded %d incidents in %v", benchIssues, time.Since(start).Round(time.Millisecond))
	return nil
}

// BenchmarkSearch compares ranked full-text search through SearchIssues with the ILIKE scans it
// replaces, over 100k incidents, for a rotating set of realistic queries. "fts" is SearchIssues:
// one ranked page of 20 with snippets and the number of matches (counted up to
// db.MaxSearchTotal). "ilike" is the plain substring scan, newest 20 matches, no total;
// "ilike_count" adds the same capped total, so that it answers what SearchIssues answers.
// Besides ns/op each reports the median and 95th percentile latency.
func BenchmarkSearch(b *testing.B) {
	d := mustSeedBenchDB(b)
	issues := db.NewIssueService(d)
	ctx := domain.NewSystemContext(context.Background(), "bench")

	b.Run("fts", func(b *testing.B) {
		durations := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			start := time.Now()
			if _, _, err := issues.SearchIssues(ctx, benchQueries[i%len(benchQueries)], 1, 20); err != nil {
				b.Fatal(err)
			}
			durations = append(durations, time.Since(start))
		}
		reportPercentiles(b, durations)
	})
	b.Run("ilike", func(b *testing.B) {
		benchILIKE(b, d, false)
	})
	b.Run("ilike_count", func(b *testing.B) {
		benchILIKE(b, d, true)
	})
}

// benchILIKE runs the ILIKE search for each query: every word must occur in the title or the
// description; the newest 20 matches, and with count the number of matches up to
// db.MaxSearchTotal.
func benchILIKE(b *testing.B, d *db.DB, count bool) {
	ctx := context.Background()
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var conds []string
		var args []any
		for _, w := range strings.Fields(benchQueries[i%len(benchQueries)]) {
			args = append(args, "%"+w+"%")
			conds = append(conds, fmt.Sprintf("(title ILIKE $%d OR description ILIKE $%d)", len(args), len(args)))
		}
		cond := strings.Join(conds, " AND ")
		total := "0"
		if count {
			total = fmt.Sprintf("(SELECT count(*) FROM (SELECT 1 FROM issues WHERE %s LIMIT %d) c)", cond, db.MaxSearchTotal)
		}
		start := time.Now()
		rows, err := d.Pool.Query(ctx, `
			SELECT id, title, updated_at, `+total+`
			FROM issues
			WHERE `+cond+`
			ORDER BY updated_at DESC, id DESC
			LIMIT 20`, args...)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	reportPercentiles(b, durations)
}

// reportPercentiles reports the median and 95th percentile of durations in milliseconds.
func reportPercentiles(b *testing.B, durations []time.Duration) {
	b.Helper()
	if len(durations) == 0 {
		return
	}
	slices.Sort(durations)
	at := func(p float64) float64 {
		return float64(durations[int(p*float64(len(durations)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}
