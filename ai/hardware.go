package ai

import (
	"bufio"
	"bytes"
	"context"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/host"
	"github.com/shirou/gopsutil/v4/mem"

	"tftsr/domain"
)

// DefaultGPUQueryTimeout bounds the nvidia-smi call.
const DefaultGPUQueryTimeout = 3 * time.Second

// HostProbe reports the hardware of the machine the portal runs on: CPU, memory and operating
// system through gopsutil, NVIDIA GPUs through nvidia-smi when it is on the PATH. It implements
// domain.HardwareProbe.
type HostProbe struct {
	// NvidiaSMI is the nvidia-smi command; empty means "nvidia-smi" looked up on the PATH.
	NvidiaSMI string
	// GPUQueryTimeout bounds the nvidia-smi call.
	GPUQueryTimeout time.Duration
}

var _ domain.HardwareProbe = (*HostProbe)(nil)

// NewHostProbe returns a HostProbe with the defaults.
func NewHostProbe() *HostProbe {
	return &HostProbe{NvidiaSMI: "nvidia-smi", GPUQueryTimeout: DefaultGPUQueryTimeout}
}

// Hardware implements domain.HardwareProbe. Each fact is best effort: one that cannot be read
// stays empty rather than failing the report.
func (p *HostProbe) Hardware(ctx context.Context) (*domain.Hardware, error) {
	hw := &domain.Hardware{Arch: runtime.GOARCH, OS: runtime.GOOS, GPUs: []domain.GPU{}}
	if infos, err := cpu.InfoWithContext(ctx); err == nil && len(infos) > 0 {
		hw.CPUModel = strings.TrimSpace(infos[0].ModelName)
	}
	if n, err := cpu.CountsWithContext(ctx, false); err == nil {
		hw.CPUCores = n
	}
	if n, err := cpu.CountsWithContext(ctx, true); err == nil {
		hw.CPUThreads = n
	}
	if hw.CPUThreads == 0 {
		hw.CPUThreads = runtime.NumCPU()
	}
	if hw.CPUCores == 0 {
		hw.CPUCores = hw.CPUThreads
	}
	if vm, err := mem.VirtualMemoryWithContext(ctx); err == nil {
		hw.TotalRAMBytes = vm.Total
	}
	if platform, _, version, err := host.PlatformInformationWithContext(ctx); err == nil && platform != "" {
		hw.OS = strings.TrimSpace(runtime.GOOS + " (" + strings.TrimSpace(platform+" "+version) + ")")
	}
	if arch, err := host.KernelArch(); err == nil && arch != "" {
		hw.Arch = arch
	}
	hw.GPUs = append(hw.GPUs, p.nvidiaGPUs(ctx)...)
	return hw, nil
}

// nvidiaGPUs asks nvidia-smi for the NVIDIA GPUs and their memory; no nvidia-smi, a failure or a
// timeout means none.
func (p *HostProbe) nvidiaGPUs(ctx context.Context) []domain.GPU {
	name := p.NvidiaSMI
	if name == "" {
		name = "nvidia-smi"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, orDefault(p.GPUQueryTimeout, DefaultGPUQueryTimeout))
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits")
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	return parseNvidiaSMI(out)
}

// parseNvidiaSMI reads nvidia-smi's "name, memory.total" CSV lines (memory in MiB, no header, no
// units). A name may itself hold commas, so the memory is what follows the last one; a memory
// that is missing or "[N/A]" is reported as 0; blank and nameless lines are skipped.
func parseNvidiaSMI(out []byte) []domain.GPU {
	var gpus []domain.GPU
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		name, memText := line, ""
		if i := strings.LastIndex(line, ","); i >= 0 {
			name, memText = strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
		}
		if name == "" {
			continue
		}
		var vram uint64
		memText = strings.TrimSpace(strings.TrimSuffix(memText, "MiB"))
		if mib, err := strconv.ParseFloat(memText, 64); err == nil && mib > 0 && mib < 1<<40 {
			vram = uint64(mib * (1 << 20))
		}
		gpus = append(gpus, domain.GPU{Vendor: "NVIDIA", Name: name, VRAMBytes: vram})
	}
	return gpus
}
