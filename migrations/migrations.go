// Package migrations holds the goose SQL migrations of the portal's database, embedded.
//
// Files are named NNNNN_what.sql and applied in the order of their numbers. The numbers need not
// be contiguous: 00008 was never used (00009 was numbered past it
// when it was written), and goose does not need contiguity. A released file is never renumbered or edited,
// since databases record the versions they have applied; a change is always a new file with
// the next number above the highest.
package migrations

import "embed"

// FS holds the migration files at its root.
//
//go:embed *.sql
var FS embed.FS
