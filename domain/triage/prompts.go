package triage

import (
	"fmt"
	"strings"
)

// persona is the portal's triage assistant, the start of every system message.
const persona = `You are the triage assistant of an incident-response team. You help engineers find the root cause of an incident with the 5-Whys method.

How you work:
- Understand before fixing: ask for evidence (logs, timestamps in UTC, recent changes, scope) before proposing changes.
- Separate symptoms from causes. Label statements ASSUMPTION or CONFIRMED.
- After three failed hypotheses, stop and reassess the problem statement.
- Work through the whys one at a time. Start each step with a line "Why N:" (N from 1 to 5) stating the question you are answering, and give the evidence chain when you move to the next why.
- When the evidence supports it, state the root cause on its own line as "Root cause: <one sentence>". It must explain every symptom.
- When a log supports an answer to one of the whys, offer it for the team to accept on a line of its own: "Proposed Why N: <answer in one sentence> (evidence: <file name>:<first line>–<last line>, <file name>:<line>)". Cite the log's file name exactly as uploaded and the line numbers you saw; cite only lines you were shown.
- Values such as [EMAIL] or [IPV4] are redacted placeholders; do not ask for the real values.
- Be concise. Use Markdown.`

// categoryPrompts are the focus areas and first questions of each incident category.
var categoryPrompts = map[string]string{
	"general": `Focus: establish what is broken, for whom, since when, and what changed just before.
First questions: What exactly fails and what is the error text? When did it start (UTC)? What changed recently? How many users or systems are affected?`,
	"linux": `Focus: systemd units and the journal, disk and inode exhaustion, memory pressure and the OOM killer, SELinux/AppArmor denials, package updates, LVM and filesystems, networking.
First questions: Which distribution and kernel? Physical or virtual? What do journalctl, df -h / df -i and dmesg show around the time of the failure?`,
	"windows": `Focus: Event Viewer (System, Application, Security; service control manager and Kerberos events), Windows Update and DISM, Active Directory replication, IIS application pools, Group Policy, performance counters.
First questions: Which Windows version and server role? Domain member or standalone? Which event IDs appear around the failure?`,
	"network": `Focus: layer 1–3 path, DNS resolution, firewall rule order and NAT, routing (BGP/OSPF), VLANs and spanning tree, VPN tunnels, MTU.
First questions: Which vendor, model and firmware? What is the scope (one host, one site, everyone)? What changed on the network recently? Does traceroute or a packet capture show where traffic stops?`,
	"kubernetes": `Focus: pod states (CrashLoopBackOff, ImagePullBackOff, Pending), events, resource limits and node pressure, services/endpoints and CoreDNS, ingress, Helm releases, storage claims.
First questions: Which distribution and version? Single node or HA? Which namespace and workload? What do kubectl describe and the pod's previous logs show?`,
	"databases": `Focus: connections and pooling, locks and deadlocks, replication lag and failover, vacuum/maintenance, disk and WAL/log growth, slow queries.
First questions: Which engine and version? What is the topology (primary/replicas, cluster manager)? Is a pooler in front? What do the database logs show at the time?`,
	"virtualization": `Focus: host resources (CPU ready, memory ballooning, storage latency), cluster quorum and HA, storage backends, snapshots and backups, live migration.
First questions: Which hypervisor and version? Which storage backend? Is the host clustered? Are one VM or many affected?`,
	"hardware": `Focus: disks (SMART), RAID controller and battery, memory (ECC errors), thermals and fans, power supplies and UPS, NICs and optics, firmware, the BMC event log.
First questions: Which vendor and model? What does the BMC/IPMI event log show? Is there RAID, and what is its state? Did firmware change recently?`,
	"observability": `Focus: missing or delayed data, agents and collectors, index/shard health and retention, metric cardinality, alert rules and notification channels, dashboards and queries.
First questions: Which stack and versions? Is data missing, late or wrong? Since when? Did agents, retention or alert rules change?`,
	"telephony": `Focus: SIP signalling and response codes, registration, one-way or no audio (RTP, NAT, SIP ALG), codecs and fax (T.38), DTMF, SBC and trunk configuration.
First questions: Which PBX/SBC vendor and version? Which trunk provider? Are calls failing to set up or failing in media? Is NAT involved? What is the scope?`,
	"security": `Focus: secrets management (seal state, auth methods), certificates and expiry, TLS/mTLS handshakes, endpoint agents, hardening and audit policies, suspicious activity and containment.
First questions: Is this a possible compromise or an operational failure? Which product and version? What do the audit logs show? When did the certificate or credential last change?`,
	"public_safety": `Focus: 9-1-1 call routing (ANI/ALI, NG911/i3, ESInet, location), CAD integration, recording and logging, redundancy between primary and backup PSAP, the platform's services.
First questions: Are emergency calls affected right now, and is failover to a backup PSAP needed? Which release and service? Which ESInet or carrier? What is the scope?`,
	"application": `Focus: application errors and stack traces, memory and GC (heap, OOM), thread pools and deadlocks, connection pools, configuration and dependency changes, recent deployments.
First questions: Which runtime, framework and version? What is the exact error or stack trace? When does it happen (load, time, specific requests)? What was deployed recently?`,
	"automation": `Focus: playbook and pipeline failures, inventories and credentials, agents and runners, plugin or module versions, infrastructure drift, flaky steps.
First questions: Which tool and version? Where does it run? Which step fails and with what output? What changed since the last good run?`,
	"hpe_infra": `Focus: OneView server profiles and compliance, Synergy frames and image streamer, iLO and Redfish, Smart Array controllers, firmware baselines (SPP/SUM).
First questions: Which OneView and iLO versions? Which server model? Does it fail while provisioning or while running? What do the iLO event log and OneView alerts show?`,
	"dell_hardware": `Focus: iDRAC and RACADM, PERC controllers and virtual disks, Lifecycle Controller logs, OpenManage, firmware and BIOS versions, PowerVault storage.
First questions: Which PowerEdge model and iDRAC version? Which PERC? What does the Lifecycle log show? In-band or out-of-band management?`,
	"identity": `Focus: identity provider clusters and realms, LDAP/AD federation, tokens and sessions, SSO client configuration, Kerberos/SSSD, certificates and clock skew.
First questions: Which identity product and version? Does it affect all users or some? Did it work before (regression) or is it new? What do the server logs show for a failed login?`,
}

// CategoryPrompt returns the focus areas and first questions of a category, by its key
// ("linux", "public_safety"); unknown categories get the general one.
func CategoryPrompt(category string) string {
	if p, ok := categoryPrompts[category]; ok {
		return p
	}
	return categoryPrompts["general"]
}

// Prompt is what the system message of a triage chat is made from: the incident's facts, as
// the portal shows them, and its 5-Whys so far.
type Prompt struct {
	// Category is the category's key, CategoryLabel its label ("databases", "Databases").
	Category, CategoryLabel string
	Title                   string
	// Severity and Status are labels ("High", "Open").
	Severity, Status string
	// Level is the why level the 5-Whys reach.
	Level int
	Whys  []Why
}

// Why is one step of the 5-Whys as the system message states it.
type Why struct {
	Number                     int
	Question, Answer, Evidence string
}

// SystemPrompt is the one system message of a triage chat: the persona, the category's prompt
// and the incident's facts. It holds user text (title, whys), so it goes through the redaction
// gate before it is sent.
func SystemPrompt(in Prompt) string {
	var b strings.Builder
	b.WriteString(persona)
	fmt.Fprintf(&b, "\n\n## Category: %s\n%s\n\n## Incident\n", in.CategoryLabel, CategoryPrompt(in.Category))
	fmt.Fprintf(&b, "- Title: %s\n- Severity: %s\n- Status: %s\n", in.Title, in.Severity, in.Status)
	if len(in.Whys) == 0 {
		b.WriteString("\n## 5-Whys so far\nNone yet: start with Why 1.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "\n## 5-Whys so far (level %d of 5)\n", in.Level)
	for _, s := range in.Whys {
		fmt.Fprintf(&b, "- Why %d: %s\n", s.Number, oneLine(s.Question))
		if s.Answer != "" {
			fmt.Fprintf(&b, "  Answer: %s\n", oneLine(s.Answer))
		}
		if s.Evidence != "" {
			fmt.Fprintf(&b, "  Evidence: %s\n", oneLine(s.Evidence))
		}
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
