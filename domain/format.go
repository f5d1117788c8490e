package domain

import (
	"math"
	"strconv"
)

// byteUnits are the units FormatBytes counts in above bytes, each 1024 times the one before.
var byteUnits = []string{"KB", "MB", "GB", "TB", "PB", "EB"}

// FormatBytes is the one way the portal shows a size to people: file and log sizes, memory,
// model downloads, and the limits named in error messages.
//
// Sizes are counted in binary multiples, a kilobyte being 1024 bytes, because the portal's
// limits are set so (10 << 20 reads "10 MB") and memory is counted so; the units are written
// KB, MB, GB, TB, PB and EB. Below 1 KB the size is a count of bytes ("1 byte", "512 bytes").
// From 1 KB, a value under 10 has one decimal and one of 10 or more is a whole number, both
// rounded to the nearest, and a decimal that is zero is left out: "1.5 KB", "2 MB", "12 MB",
// "1.2 GB". A value that rounds to 1024 is written in the next unit ("1 MB", not "1024 KB").
// A negative size is written with a minus sign.
func FormatBytes(n int64) string {
	if n < 0 {
		// The magnitude as unsigned, so that the most negative int64 is right too.
		return "-" + formatMagnitude(uint64(-(n+1))+1)
	}
	return formatMagnitude(uint64(n))
}

// formatMagnitude is FormatBytes for a magnitude.
func formatMagnitude(n uint64) string {
	if n < 1<<10 {
		return strconv.FormatUint(n, 10) + " " + Plural(int(n), "byte", "bytes")
	}
	v, unit := float64(n)/(1<<10), 0
	for math.Round(v) >= 1<<10 && unit < len(byteUnits)-1 {
		v /= 1 << 10
		unit++
	}
	if tenths := math.Round(v * 10); tenths < 100 {
		if int64(tenths)%10 == 0 {
			return strconv.FormatInt(int64(tenths)/10, 10) + " " + byteUnits[unit]
		}
		return strconv.FormatFloat(tenths/10, 'f', 1, 64) + " " + byteUnits[unit]
	}
	return strconv.FormatFloat(math.Round(v), 'f', 0, 64) + " " + byteUnits[unit]
}

// Plural is the one way the portal picks the singular or plural of a word for a count: one
// when n is 1 and many otherwise (0 files, 1 file, 2 files). It returns the word alone, so that
// the count can stand apart from it ("3 deleted logs"); callers write the count themselves.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
