package migrations

import (
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"testing"
)

// TestNumbering holds the rule in the package doc: every file is NNNNN_name.sql, numbers are
// unique, and the only gap below the newest is the 00008 that was never used.
func TestNumbering(t *testing.T) {
	names, err := fs.Glob(FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)
	var nums []int
	seen := map[int]string{}
	for _, n := range names {
		m := re.FindStringSubmatch(n)
		if m == nil {
			t.Errorf("%s: want NNNNN_lower_snake.sql", n)
			continue
		}
		v, _ := strconv.Atoi(m[1])
		if prev, ok := seen[v]; ok {
			t.Errorf("%s and %s share version %d", prev, n, v)
		}
		seen[v] = n
		nums = append(nums, v)
	}
	sort.Ints(nums)
	if len(nums) == 0 || nums[0] != 1 {
		t.Fatalf("migrations start at %v, want 1", nums)
	}
	for i := 1; i < len(nums); i++ {
		for missing := nums[i-1] + 1; missing < nums[i]; missing++ {
			if missing != 8 {
				t.Errorf("version %d is missing between %s and %s", missing, seen[nums[i-1]], seen[nums[i]])
			}
		}
	}
}
