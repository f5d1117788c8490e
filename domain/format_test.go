package domain_test

import (
	"math"
	"testing"

	"tftsr/domain"
)

func TestFormatBytes(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{
		{0, "0 bytes"},
		{1, "1 byte"},
		{2, "2 bytes"},
		{512, "512 bytes"},
		{1000, "1000 bytes"},
		{1023, "1023 bytes"},
		{1024, "1 KB"},
		{1536, "1.5 KB"},
		{2000, "2 KB"},     // 1.95 KB rounds to 2.0
		{10_000, "9.8 KB"}, // decimal limits read in binary units
		{10_189, "10 KB"},  // 9.95 rounds up to the whole number
		{10_240, "10 KB"},
		{60_000, "59 KB"}, // rounded to the nearest, not cut
		{100_000, "98 KB"},
		{204_800, "200 KB"},
		{1_000_000, "977 KB"},
		{1<<20 - 1, "1 MB"},   // 1023.999 KB rounds to 1024: the next unit
		{1<<20 - 512, "1 MB"}, // 1023.5 KB, likewise
		{1<<20 - 600, "1023 KB"},
		{1 << 20, "1 MB"},
		{2 << 20, "2 MB"},
		{1<<20 + 1<<19, "1.5 MB"},
		{12 << 20, "12 MB"},
		{100 << 20, "100 MB"},
		{256 << 20, "256 MB"},
		{1 << 30, "1 GB"},
		{1288490188, "1.2 GB"},
		{2_019_393_189, "1.9 GB"}, // an Ollama model that Ollama calls "2.0 GB" in 10^9 bytes
		{16 << 30, "16 GB"},
		{40_000_000_000, "37 GB"},
		{1 << 40, "1 TB"},
		{1 << 50, "1 PB"},
		{1 << 60, "1 EB"},
		{math.MaxInt64, "8 EB"},
		{-1, "-1 byte"},
		{-1536, "-1.5 KB"},
		{math.MinInt64, "-8 EB"},
	} {
		if got := domain.FormatBytes(c.in); got != c.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{0, "values"}, {1, "value"}, {2, "values"}, {-1, "values"}, {1000, "values"},
	} {
		if got := domain.Plural(c.n, "value", "values"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := domain.Plural(2, "entry", "entries"); got != "entries" {
		t.Errorf("irregular plural: %q", got)
	}
}

func BenchmarkFormatBytes(b *testing.B) {
	for i := range b.N {
		_ = domain.FormatBytes(int64(i) << 12)
	}
}
