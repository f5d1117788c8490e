package pii_test

import (
	"fmt"

	"tftsr/domain/pii"
)

func ExampleDetect() {
	text := []byte("login ok user=jane@example.com ip=10.1.2.3 password=hunter2!")
	for _, sp := range pii.Detect(text) {
		fmt.Println(sp.Type, sp.Start, sp.End, string(text[sp.Start:sp.End]))
	}
	// Output:
	// Email 14 30 jane@example.com
	// IPv4 34 42 10.1.2.3
	// Password 52 60 hunter2!
}

func ExampleRedact() {
	text := []byte("Server 192.168.1.1 is down")
	fmt.Println(string(pii.Redact(text, pii.Detect(text))))
	// Output: Server [IPv4] is down
}
