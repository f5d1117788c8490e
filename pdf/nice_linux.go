//go:build linux

package pdf

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"github.com/chromedp/chromedp"
)

// niceOptions start the browser through nice(1) at n steps below the portal's priority; its
// helper processes (the zygote, the renderers) inherit it. Without nice on the PATH, or for n <= 0,
// the browser runs at the portal's priority.
func niceOptions(n int) []chromedp.ExecAllocatorOption {
	if n <= 0 {
		return nil
	}
	nice, err := exec.LookPath("nice")
	if err != nil {
		return nil
	}
	return []chromedp.ExecAllocatorOption{chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
		cmd.Args = append([]string{nice, "-n", strconv.Itoa(n), cmd.Path}, cmd.Args[1:]...)
		cmd.Path = nice
		// What chromedp does when the command is left to it: the browser dies with the portal.
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = new(syscall.SysProcAttr)
		}
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
		// Its own session, so that its own scheduling group (below) holds the browser alone.
		cmd.SysProcAttr.Setsid = true
	})}
}

// lowerGroup lowers the CPU share of the browser's scheduling group (its session's autogroup)
// by n. Chromium run as root sets its threads' nice values itself, overriding nice(1); the
// kernel shares the CPU between autogroups first, by the group's nice, so this holds anyway.
// Where autogroups are not used (inside a container's cgroup, say) the write changes nothing
// that matters, and a failure is ignored: the browser then runs as nice(1) left it.
func lowerGroup(pid, n int) {
	if n <= 0 || pid <= 0 {
		return
	}
	_ = os.WriteFile("/proc/"+strconv.Itoa(pid)+"/autogroup", []byte(strconv.Itoa(n)), 0)
}
