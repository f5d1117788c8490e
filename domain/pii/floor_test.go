package pii

import (
	"bytes"
	"testing"
)

func floorScan(s []byte) int {
	n := len(s)
	i := 0
	words := 0
	for i < n {
		k := class[s[i]]
		if k&cWord == 0 {
			i++
			continue
		}
		j := i + 1
		m := k
		for j < n {
			c := class[s[j]]
			if c&cWord == 0 {
				break
			}
			m |= c
			j++
		}
		words += int(m & 1)
		i = j
	}
	return words
}

func BenchmarkFloor(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		floorScan(data)
	}
}

func BenchmarkFloorLines(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for p := 0; p < len(data); {
			k := bytes.IndexByte(data[p:], '\n')
			if k < 0 {
				k = len(data) - p - 1
			}
			floorScan(data[p : p+k+1])
			p += k + 1
		}
	}
}
