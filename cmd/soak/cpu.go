package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the unit of the CPU times in /proc/<pid>/stat (USER_HZ, 100 on Linux).
const clockTicks = 100

// proc is one process as /proc shows it.
type proc struct {
	pid, ppid int
	cmdline   string
	ticks     int64 // user + system CPU time
}

// readProcs lists the processes /proc shows; none where there is no /proc.
func readProcs() map[int]proc {
	out := map[int]proc{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue
		}
		p, ok := parseStat(pid, string(stat))
		if !ok {
			continue
		}
		cmd, _ := os.ReadFile(d + "/cmdline")
		p.cmdline = strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
		out[pid] = p
	}
	return out
}

// parseStat reads the parent and the user and system CPU time from a /proc/<pid>/stat line,
// whose second field, the command in parentheses, may itself hold spaces and parentheses.
func parseStat(pid int, stat string) (proc, bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return proc{}, false
	}
	f := strings.Fields(stat[i+1:])
	// After the command: state(0) ppid(1) ... utime(11) stime(12).
	if len(f) < 13 {
		return proc{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	ut, err2 := strconv.ParseInt(f[11], 10, 64)
	st, err3 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return proc{}, false
	}
	return proc{pid: pid, ppid: ppid, ticks: ut + st}, true
}

// cpuGroups sorts processes into what the drill reports: the portal itself, the processes it
// started (Chromium), the Postgres backends serving its database, and the drill (self).
func cpuGroups(procs map[int]proc, portalPID, self int, database string) map[string]int64 {
	g := map[string]int64{}
	descends := func(p proc) bool {
		for seen := 0; p.ppid > 1 && seen < 64; seen++ {
			if p.ppid == portalPID {
				return true
			}
			parent, ok := procs[p.ppid]
			if !ok {
				return false
			}
			p = parent
		}
		return false
	}
	for _, p := range procs {
		switch {
		case p.pid == portalPID:
			g["portal"] += p.ticks
		case p.pid == self:
			g["the drill's sessions"] += p.ticks
		case descends(p):
			g["portal's Chromium"] += p.ticks
		case strings.HasPrefix(p.cmdline, "postgres: ") && strings.Contains(" "+p.cmdline+" ", " "+database+" "):
			g["Postgres backends of its database"] += p.ticks
		}
	}
	return g
}

// cpuDelta is the CPU each group used between two samples. A process that ended meanwhile
// is lost; one that started counts from zero.
func cpuDelta(before, after map[int]proc, portalPID, self int, database string) map[string]time.Duration {
	start := map[int]int64{}
	for pid, p := range before {
		start[pid] = p.ticks
	}
	used := map[int]proc{}
	for pid, p := range after {
		if s, ok := start[pid]; ok && s <= p.ticks {
			p.ticks -= s
		}
		used[pid] = p
	}
	out := map[string]time.Duration{}
	for k, ticks := range cpuGroups(used, portalPID, self, database) {
		out[k] = time.Duration(ticks) * time.Second / clockTicks
	}
	return out
}

// formatCPU describes the CPU the groups used in elapsed on cpus cores.
func formatCPU(used map[string]time.Duration, elapsed time.Duration, cpus int) string {
	var parts []string
	for _, k := range []string{"portal", "portal's Chromium", "Postgres backends of its database", "the drill's sessions"} {
		parts = append(parts, fmt.Sprintf("%s %.1f s", k, used[k].Seconds()))
	}
	return fmt.Sprintf("%s (of %.1f s on %d cores)", strings.Join(parts, ", "), elapsed.Seconds()*float64(cpus), cpus)
}
