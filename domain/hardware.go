package domain

import (
	"context"
	"math"
	"strings"
)

// Hardware describes the machine the portal runs on.
type Hardware struct {
	CPUModel      string `json:"cpu_model"`
	CPUCores      int    `json:"cpu_cores"`
	CPUThreads    int    `json:"cpu_threads"`
	Arch          string `json:"arch"`
	OS            string `json:"os"`
	TotalRAMBytes uint64 `json:"total_ram_bytes"`
	GPUs          []GPU  `json:"gpus"`
}

// GPU is a graphics card of the host. VRAMBytes is 0 when it is not known.
type GPU struct {
	Vendor    string `json:"vendor"`
	Name      string `json:"name"`
	VRAMBytes uint64 `json:"vram_bytes"`
}

// HardwareProbe reports the hardware of the machine the portal runs on.
type HardwareProbe interface {
	Hardware(ctx context.Context) (*Hardware, error)
}

// gib is the number of bytes in a gigabyte as memory is counted (2^30).
const gib = 1 << 30

// RAMGB returns the total memory in whole gigabytes, rounded to the nearest: a "16 GB" machine
// whose kernel reports 15.6 GiB counts as 16.
func (h Hardware) RAMGB() float64 {
	return math.Round(float64(h.TotalRAMBytes) / gib)
}

// MaxVRAMGB returns the memory of the largest GPU in gigabytes, or 0 without one.
func (h Hardware) MaxVRAMGB() float64 {
	var v uint64
	for _, g := range h.GPUs {
		v = max(v, g.VRAMBytes)
	}
	return float64(v) / gib
}

// ModelRecommendation is a model of the catalogue judged against the host: whether it fits in
// its memory, whether it is recommended for it, and whether it is already installed.
type ModelRecommendation struct {
	Name        string `json:"name"`
	SizeBytes   int64  `json:"size_bytes"`
	MinRAMGB    int    `json:"min_ram_gb"`
	Description string `json:"description"`
	Recommended bool   `json:"recommended"`
	Fits        bool   `json:"fits"`
	Installed   bool   `json:"installed"`
}

// catalogueModel is a model of the catalogue and the host it is recommended for.
type catalogueModel struct {
	name        string
	sizeBytes   int64
	minRAMGB    int
	description string
	recommended func(ramGB, vramGB float64) bool
}

// modelCatalogue is the fixed list of models suggested for triage, smallest first.
var modelCatalogue = []catalogueModel{
	{"llama3.2:1b", 1_300_000_000, 4, "The smallest Llama 3.2: quick answers on laptops and small VMs.",
		func(ram, _ float64) bool { return ram < 8 }},
	{"llama3.2:3b", 2_000_000_000, 6, "Balanced size and quality; a good default for everyday triage.",
		func(ram, _ float64) bool { return ram >= 8 && ram < 16 }},
	{"phi3.5:3.8b", 2_200_000_000, 6, "Compact model that reasons well for its size.",
		func(float64, float64) bool { return false }},
	{"llama3.1:8b", 4_700_000_000, 10, "Solid all-rounder for reading logs and asking why.",
		func(ram, _ float64) bool { return ram >= 16 && ram < 32 }},
	{"qwen2.5:14b", 9_000_000_000, 16, "Larger model for long, tangled logs and multi-step analysis.",
		func(ram, _ float64) bool { return ram >= 24 && ram < 40 }},
	{"llama3.1:70b", 40_000_000_000, 48, "The best answers of the list; needs a big GPU or a lot of memory.",
		func(ram, vram float64) bool { return ram >= 48 || vram >= 40 }},
}

// CatalogueModelNames returns the names of the catalogue's models, smallest first.
func CatalogueModelNames() []string {
	names := make([]string, len(modelCatalogue))
	for i, m := range modelCatalogue {
		names[i] = m.name
	}
	return names
}

// RecommendModels judges every model of the catalogue against hw. A model fits when its minimum
// memory is at most the host's memory plus 2 GB, or when a GPU has at least 80% of that minimum
// as VRAM. A model is recommended when it fits and the host falls in its memory band (more than
// one can be). installed names the models already on the Ollama server; a name without a tag
// means ":latest".
func RecommendModels(hw Hardware, installed []string) []ModelRecommendation {
	ram, vram := hw.RAMGB(), hw.MaxVRAMGB()
	have := map[string]bool{}
	for _, n := range installed {
		have[normalModelName(n)] = true
	}
	out := make([]ModelRecommendation, 0, len(modelCatalogue))
	for _, m := range modelCatalogue {
		minRAM := float64(m.minRAMGB)
		fits := minRAM <= ram+2 || (len(hw.GPUs) > 0 && vram >= 0.8*minRAM)
		out = append(out, ModelRecommendation{
			Name: m.name, SizeBytes: m.sizeBytes, MinRAMGB: m.minRAMGB, Description: m.description,
			Fits: fits, Recommended: fits && m.recommended(ram, vram), Installed: have[normalModelName(m.name)],
		})
	}
	return out
}

// normalModelName adds the default tag to a model name without one.
func normalModelName(n string) string {
	if !strings.Contains(n[strings.LastIndex(n, "/")+1:], ":") {
		return n + ":latest"
	}
	return n
}

// HardwareReport returns the portal host's hardware. Only admins may see it.
func (s *OllamaService) HardwareReport(ctx context.Context) (*Hardware, error) {
	if err := Require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	hw, err := s.hardware.Hardware(ctx)
	if err != nil {
		return nil, err
	}
	if hw.GPUs == nil {
		hw.GPUs = []GPU{}
	}
	return hw, nil
}

// Recommendations judges the catalogue against the host's hardware. Installed models are taken
// from the Ollama server when it answers; when it does not, none is marked installed.
func (s *OllamaService) Recommendations(ctx context.Context) ([]ModelRecommendation, error) {
	hw, err := s.HardwareReport(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	if models, err := s.Models(ctx); err == nil {
		for _, m := range models {
			names = append(names, m.Name)
		}
	} else if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return RecommendModels(*hw, names), nil
}
