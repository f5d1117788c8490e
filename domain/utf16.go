package domain

import (
	"bufio"
	"bytes"
	"io"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// utf16Order is the byte order of UTF-16 text, or none.
type utf16Order int

const (
	notUTF16 utf16Order = iota
	utf16LE
	utf16BE
)

// detectUTF16 tells UTF-16 text by its byte-order mark, or, without one, by its NUL bytes: ASCII
// text in UTF-16 has a NUL in every other byte (the high byte of each unit), which Windows tools
// such as PowerShell 5's Out-File and the Event Viewer's export write.
func detectUTF16(head []byte) utf16Order {
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return utf16LE
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return utf16BE
	}
	n := len(head) &^ 1
	if n < 16 {
		return notUTF16
	}
	var evenNUL, oddNUL int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			evenNUL++
		}
		if head[i+1] == 0 {
			oddNUL++
		}
	}
	units := n / 2
	switch {
	case oddNUL*10 >= units*9 && evenNUL*10 <= units:
		return utf16LE
	case evenNUL*10 >= units*9 && oddNUL*10 <= units:
		return utf16BE
	}
	return notUTF16
}

// utf16Reader decodes UTF-16 text of the order to UTF-8, dropping a byte-order mark. Invalid
// units become U+FFFD, as invalid UTF-8 does.
func utf16Reader(r io.Reader, order utf16Order) *bufio.Reader {
	endian := unicode.LittleEndian
	if order == utf16BE {
		endian = unicode.BigEndian
	}
	dec := unicode.UTF16(endian, unicode.UseBOM).NewDecoder()
	return bufio.NewReaderSize(transform.NewReader(r, dec), 64<<10)
}
