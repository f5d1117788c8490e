package pii

import (
	"fmt"
	"os"
	"testing"
)

func TestDbg(t *testing.T) {
	data, err := os.ReadFile("/tmp/piidbg/in.txt")
	if err != nil {
		t.Skip()
	}
	for _, sp := range Detect(data) {
		fmt.Printf("%-16s %q\n", sp.Type, data[sp.Start:sp.End])
	}
	fmt.Println(string(Redact(data, Detect(data))))
}
