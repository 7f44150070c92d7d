package extrahoptest

import (
	"fmt"
	"time"

	"github.com/trackbridge/trackbridge/extrahop"
)

// Seeded ids start above 2^33, like real ones (8589935233), and step by 7,
// so a client that squeezes ids through int32 or float32 fails at once.
const (
	firstID int64 = 8589935233
	idStep  int64 = 7
)

// kind is a template for seeded detections of one type.
type kind struct {
	typ, title, display string
	categories          []string
	// risk is the base risk score; -1 means none (performance detections).
	risk       int
	tactics    []extrahop.Mitre
	techniques []extrahop.Mitre
	properties func(i int) map[string]any
}

func tactic(id, name string) extrahop.Mitre {
	return extrahop.Mitre{ID: id, Name: name, URL: "https://attack.mitre.org/tactics/" + id}
}

func technique(id, name string, legacy ...string) extrahop.Mitre {
	return extrahop.Mitre{ID: id, Name: name, URL: "https://attack.mitre.org/techniques/" + id, LegacyIDs: append([]string{}, legacy...)}
}

// kinds returns the detection types seeding cycles through.
func kinds() []kind {
	return []kind{
		{
			typ: "rdp_brute_force", title: "RDP Brute Force", display: "RDP Brute Force",
			categories: []string{"sec", "sec.attack"}, risk: 84,
			tactics:    []extrahop.Mitre{tactic("TA0006", "Credential Access")},
			techniques: []extrahop.Mitre{technique("T1110", "Brute Force")},
			properties: func(i int) map[string]any { return map[string]any{"ports": []any{"RDP:3389"}, "attempts": 200 + i} },
		},
		{
			typ: "weak_cipher_individual", title: "Weak Cipher Suite", display: "Weak Cipher Suite",
			categories: []string{"sec", "sec.hardening"}, risk: 30,
			properties: func(int) map[string]any { return map[string]any{"cipher_suite": "TLS_RSA_WITH_RC4_128_SHA"} },
		},
		{
			typ: "smb_admin_share_access", title: "Suspicious Admin Share Access", display: "Suspicious Admin Share Access",
			categories: []string{"sec", "sec.lateral"}, risk: 65,
			tactics:    []extrahop.Mitre{tactic("TA0008", "Lateral Movement")},
			techniques: []extrahop.Mitre{technique("T1021.002", "SMB/Windows Admin Shares", "T1077")},
			properties: func(int) map[string]any { return map[string]any{"share": `\\FS01\ADMIN$`} },
		},
		{
			typ: "auth_failures_kerberos", title: "High Kerberos Authentication Failures", display: "Kerberos Authentication Failures",
			categories: []string{"perf", "perf.auth"}, risk: -1,
			properties: func(i int) map[string]any { return map[string]any{"failures": 40 + i} },
		},
		{
			typ: "data_exfil_cloud", title: "Data Exfiltration to Cloud Storage", display: "Data Exfiltration",
			categories: []string{"sec", "sec.exfil"}, risk: 91,
			tactics:    []extrahop.Mitre{tactic("TA0010", "Exfiltration")},
			techniques: []extrahop.Mitre{technique("T1567", "Exfiltration Over Web Service")},
			properties: func(i int) map[string]any { return map[string]any{"bytes_out": 1_500_000_000 + i} },
		},
		{
			typ: "dns_tunnel", title: "DNS Tunnel", display: "DNS Tunnel",
			categories: []string{"sec", "sec.command"}, risk: 78,
			tactics:    []extrahop.Mitre{tactic("TA0011", "Command and Control")},
			techniques: []extrahop.Mitre{technique("T1071.004", "DNS")},
			properties: func(int) map[string]any { return map[string]any{"domain": "x7q.tunnel.example"} },
		},
		{
			typ: "log4shell_exploit", title: "Log4Shell Exploit Attempt", display: "Log4Shell Exploit",
			categories: []string{"sec", "sec.exploit"}, risk: 99,
			tactics:    []extrahop.Mitre{tactic("TA0001", "Initial Access")},
			techniques: []extrahop.Mitre{technique("T1190", "Exploit Public-Facing Application")},
			properties: func(int) map[string]any { return map[string]any{"uri": "/api/login", "cve": "CVE-2021-44228"} },
		},
		{
			typ: "db_slow_queries", title: "Slow Database Queries", display: "Slow Database Queries",
			categories: []string{"perf", "perf.db"}, risk: -1,
			properties: func(int) map[string]any { return map[string]any{"p95_ms": 4200} },
		},
	}
}

// defaultFormats is the format catalogue the server serves: one entry per
// seeded type.
func defaultFormats() []*extrahop.Format {
	ks := kinds()
	out := make([]*extrahop.Format, len(ks))
	for i, k := range ks {
		f := &extrahop.Format{Type: k.typ, DisplayName: k.display, Author: "ExtraHop", Categories: k.categories}
		for _, t := range k.techniques {
			f.MitreCategories = append(f.MitreCategories, t.ID)
		}
		out[i] = f
	}
	return out
}

// Seed adds n realistic detections and returns their ids, in creation
// order. They cycle through eight types in security and performance
// categories; risk scores vary by a few points around each type's base
// and are null for performance detections; every detection has an
// offender and a victim, MITRE data where the type has it, and no ticket
// fields (status null, shown as "Open"). Their mod_times are strictly
// increasing. Seeding is deterministic: the same calls on a fresh server
// give the same detections.
func (s *Server) Seed(n int) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ks := kinds()
	now := s.now().UTC().Truncate(time.Millisecond)
	ids := make([]int64, 0, n)
	for range n {
		i := s.seeded
		s.seeded++
		k := ks[i%len(ks)]
		start := now.Add(-time.Duration(n-len(ids)) * time.Minute)
		d := &extrahop.Detection{
			ApplianceID: 1,
			Title:       k.title,
			Description: fmt.Sprintf("[host-%d.corp.example](#/metrics/devices/%d) was the victim of %s from 203.0.113.%d.",
				i, 1000+i, k.display, i%250+1),
			Type:            k.typ,
			Categories:      append([]string(nil), k.categories...),
			StartTime:       extrahop.TimeOf(start),
			UpdateTime:      extrahop.TimeOf(start.Add(10 * time.Minute)),
			CreateTime:      extrahop.TimeOf(start),
			MitreTactics:    append([]extrahop.Mitre{}, k.tactics...),
			MitreTechniques: append([]extrahop.Mitre{}, k.techniques...),
			Properties:      k.properties(i),
			Participants: []extrahop.Participant{
				{ID: int64(2*i + 1), Role: "offender", ObjectType: "ipaddr", ObjectValue: fmt.Sprintf("203.0.113.%d", i%250+1), External: true, Endpoint: "client"},
				{ID: int64(2*i + 2), Role: "victim", ObjectType: "device", ObjectID: int64(1000 + i), Hostname: fmt.Sprintf("host-%d.corp.example", i), Endpoint: "server"},
			},
		}
		if i%3 != 0 {
			d.EndTime = extrahop.TimeOf(start.Add(10 * time.Minute)) // every third one is ongoing
		}
		if k.risk >= 0 {
			r := min(k.risk+(i*5)%9-4, 99)
			d.RiskScore = &r
		}
		ids = append(ids, s.storeLocked(d)) // d is fresh: no copy needed
	}
	return ids
}
