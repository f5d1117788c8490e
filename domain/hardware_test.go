package domain_test

import (
	"slices"
	"testing"

	"tftsr/domain"
)

const gib = 1 << 30

func TestRecommendModels(t *testing.T) {
	names := domain.CatalogueModelNames()
	if want := []string{"llama3.2:1b", "llama3.2:3b", "phi3.5:3.8b", "llama3.1:8b", "qwen2.5:14b", "llama3.1:70b"}; !slices.Equal(names, want) {
		t.Fatalf("catalogue = %v", names)
	}
	tests := []struct {
		name        string
		hw          domain.Hardware
		recommended []string
		fits        []string
	}{
		{name: "4 GB", hw: domain.Hardware{TotalRAMBytes: 4 * gib},
			recommended: []string{"llama3.2:1b"}, fits: []string{"llama3.2:1b", "llama3.2:3b", "phi3.5:3.8b"}},
		{name: "8 GB", hw: domain.Hardware{TotalRAMBytes: 8 * gib},
			recommended: []string{"llama3.2:3b"}, fits: []string{"llama3.2:1b", "llama3.2:3b", "phi3.5:3.8b", "llama3.1:8b"}},
		{name: "16 GB", hw: domain.Hardware{TotalRAMBytes: 16 * gib},
			recommended: []string{"llama3.1:8b"}, fits: []string{"llama3.2:1b", "llama3.2:3b", "phi3.5:3.8b", "llama3.1:8b", "qwen2.5:14b"}},
		{name: "15.6 GiB counts as 16", hw: domain.Hardware{TotalRAMBytes: 15*gib + 6*gib/10},
			recommended: []string{"llama3.1:8b"}, fits: []string{"llama3.2:1b", "llama3.2:3b", "phi3.5:3.8b", "llama3.1:8b", "qwen2.5:14b"}},
		{name: "24 GB recommends two", hw: domain.Hardware{TotalRAMBytes: 24 * gib},
			recommended: []string{"llama3.1:8b", "qwen2.5:14b"}, fits: []string{"llama3.2:1b", "llama3.2:3b", "phi3.5:3.8b", "llama3.1:8b", "qwen2.5:14b"}},
		{name: "32 GB", hw: domain.Hardware{TotalRAMBytes: 32 * gib},
			recommended: []string{"qwen2.5:14b"}, fits: []string{"llama3.2:1b", "llama3.2:3b", "phi3.5:3.8b", "llama3.1:8b", "qwen2.5:14b"}},
		{name: "46 GB fits the 70b by the 2 GB margin", hw: domain.Hardware{TotalRAMBytes: 46 * gib},
			recommended: nil, fits: names},
		{name: "48 GB", hw: domain.Hardware{TotalRAMBytes: 48 * gib},
			recommended: []string{"llama3.1:70b"}, fits: names},
		{name: "64 GB", hw: domain.Hardware{TotalRAMBytes: 64 * gib},
			recommended: []string{"llama3.1:70b"}, fits: names},
		{name: "8 GB and a 40 GB GPU", hw: domain.Hardware{TotalRAMBytes: 8 * gib, GPUs: []domain.GPU{{Vendor: "NVIDIA", Name: "A100", VRAMBytes: 40 * gib}}},
			recommended: []string{"llama3.2:3b", "llama3.1:70b"}, fits: names},
		{name: "8 GB and a 12 GB GPU fits by 0.8 × min RAM", hw: domain.Hardware{TotalRAMBytes: 8 * gib, GPUs: []domain.GPU{{Name: "small", VRAMBytes: 12 * gib}}},
			// 12 ≥ 0.8×10 (8b) and 12 < 0.8×16 = 12.8 (14b).
			recommended: []string{"llama3.2:3b"}, fits: []string{"llama3.2:1b", "llama3.2:3b", "phi3.5:3.8b", "llama3.1:8b"}},
		{name: "the largest GPU, 13 GB, fits the 14b", hw: domain.Hardware{TotalRAMBytes: 8 * gib, GPUs: []domain.GPU{{Name: "a"}, {Name: "b", VRAMBytes: 13 * gib}}},
			recommended: []string{"llama3.2:3b"}, fits: []string{"llama3.2:1b", "llama3.2:3b", "phi3.5:3.8b", "llama3.1:8b", "qwen2.5:14b"}},
		{name: "1 GB fits nothing and recommends nothing", hw: domain.Hardware{TotalRAMBytes: 1 * gib}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := domain.RecommendModels(tt.hw, nil)
			var rec, fits []string
			for _, r := range recs {
				if r.Recommended {
					rec = append(rec, r.Name)
				}
				if r.Fits {
					fits = append(fits, r.Name)
				}
				if r.Installed || r.Description == "" || r.SizeBytes <= 0 || r.MinRAMGB <= 0 {
					t.Errorf("%+v", r)
				}
			}
			if !slices.Equal(rec, tt.recommended) {
				t.Errorf("recommended = %v, want %v", rec, tt.recommended)
			}
			if !slices.Equal(fits, tt.fits) {
				t.Errorf("fits = %v, want %v", fits, tt.fits)
			}
		})
	}
}

func TestRecommendModels_Installed(t *testing.T) {
	recs := domain.RecommendModels(domain.Hardware{TotalRAMBytes: 16 * gib}, []string{"llama3.2:3b", "qwen2.5:14b-instruct", "library/other"})
	for _, r := range recs {
		if want := r.Name == "llama3.2:3b"; r.Installed != want {
			t.Errorf("%s installed = %v", r.Name, r.Installed)
		}
	}
}
