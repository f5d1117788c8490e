package handlers_test

import (
	"testing"

	"tftsr/db/dbtest"
)

// TestMain drops the template database of the Postgres-backed tests when they end.
func TestMain(m *testing.M) { dbtest.Main(m) }
