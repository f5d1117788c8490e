// Package migrations holds the goose SQL migrations of the portal's database, embedded.
package migrations

import "embed"

// FS holds the migration files at its root.
//
//go:embed *.sql
var FS embed.FS
