// Package archtest holds TFTSR's architecture rule, which of the module's packages may import
// which (design/architecture.md, "Layout"), and a test that checks every file of the module
// against it. `make lint` runs that test; so does `go test ./...`.
//
// The rule, by layer (a top-level package of the module with all its sub-packages, so
// domain/pii is part of domain and db/dbtest part of db):
//
//   - domain imports only the standard library and the Allow list (golang.org/x/text), in its
//     tests too: domain's tests keep their own fakes.
//   - the adapters db, blob, pdf, ai and integrations import domain and never each other, nor
//     handlers or views; db also imports migrations and pdf imports markdown. Their tests follow
//     the same rule, so an adapter's tests use only its own helpers (db/dbtest, blob/blobtest).
//   - handlers imports domain, views and static, never an adapter. Its test files wire real
//     adapters together (the HTTP tests over a real database and bucket) and may import anything.
//   - views imports domain, static and markdown.
//   - markdown, static, migrations and internal import nothing of the module.
//   - cmd wires everything and may import anything.
//
// Outside domain, any package outside the module may be imported. A test helper package (a name
// ending in "test": dbtest, blobtest, aitest) may be imported only by test files and by other
// helpers. A package in no layer is an error until it is given one here.
package archtest

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// Module is the module path.
const Module = "tftsr"

// A Layer is what one top-level package of the module, with its sub-packages, may import.
type Layer struct {
	// May lists the other layers of the module it may import.
	May []string
	// Any lets it import every layer (the wiring in cmd).
	Any bool
	// Pure limits its imports from outside the module to the standard library and Allow.
	Pure bool
	// Allow lists the import path prefixes a Pure layer may use besides the standard library.
	Allow []string
	// TestsWire lets its test files import any package: tests that wire real adapters together.
	TestsWire bool
}

// Layers maps the first element of an import path inside the module to its layer.
var Layers = map[string]Layer{
	"domain":       {Pure: true, Allow: []string{"golang.org/x/text"}},
	"db":           {May: []string{"domain", "migrations"}},
	"blob":         {May: []string{"domain"}},
	"pdf":          {May: []string{"domain", "markdown"}},
	"ai":           {May: []string{"domain"}},
	"integrations": {May: []string{"domain"}},
	"handlers":     {May: []string{"domain", "views", "static"}, TestsWire: true},
	"views":        {May: []string{"domain", "static", "markdown"}},
	"markdown":     {},
	"static":       {},
	"migrations":   {},
	"internal":     {},
	"cmd":          {Any: true},
}

// A Package is one package of the module and the imports of its files.
type Package struct {
	Path    string
	Imports []Import
}

// An Import is one import in one file.
type Import struct {
	Path string // the imported package
	Pos  string // file:line of the import, for the message
	Test bool   // the file is a _test.go file
}

// Check returns one message for every import of pkgs that breaks the rule, and for every package
// in no layer. std reports whether an import path is in the standard library.
func Check(pkgs []Package, std func(string) bool) []string {
	var out []string
	for _, p := range pkgs {
		from, ok := layerOf(p.Path)
		l, known := Layers[from]
		if !ok || !known {
			out = append(out, fmt.Sprintf("%s is in no layer of the architecture: add %q to Layers in internal/archtest/archtest.go", p.Path, from))
			continue
		}
		for _, imp := range p.Imports {
			if why := l.breaks(from, p.Path, imp, std); why != "" {
				out = append(out, fmt.Sprintf("%s: %s imports %s: %s", imp.Pos, p.Path, imp.Path, why))
			}
		}
	}
	return out
}

// breaks says why the import imp of package pkg in layer from breaks the rule, or "".
func (l Layer) breaks(from, pkg string, imp Import, std func(string) bool) string {
	to, ours := layerOf(imp.Path)
	if !ours {
		if !l.Pure || std(imp.Path) || slices.ContainsFunc(l.Allow, func(a string) bool { return under(imp.Path, a) }) {
			return ""
		}
		return fmt.Sprintf("outside %s, %s may import only %s", Module, from, strings.Join(append([]string{"the standard library"}, l.Allow...), ", "))
	}
	if imp.Test && l.TestsWire {
		return ""
	}
	if !imp.Test && isHelper(imp.Path) && !isHelper(pkg) {
		return "a test helper package is for test files only"
	}
	if to == from || l.Any || slices.Contains(l.May, to) {
		return ""
	}
	if len(l.May) == 0 {
		return fmt.Sprintf("%s may import nothing else of %s", from, Module)
	}
	return fmt.Sprintf("%s may import only %s of %s", from, strings.Join(l.May, ", "), Module)
}

// layerOf returns the first element of an import path inside the module, and whether the path
// is inside it. The module's root package has no layer.
func layerOf(importPath string) (string, bool) {
	if importPath == Module {
		return "", true
	}
	rest, ok := strings.CutPrefix(importPath, Module+"/")
	if !ok {
		return "", false
	}
	first, _, _ := strings.Cut(rest, "/")
	return first, true
}

// isHelper reports whether a package of the module is a test helper: dbtest, blobtest, aitest.
func isHelper(importPath string) bool {
	return strings.HasSuffix(path.Base(importPath), "test")
}

// under reports whether importPath is prefix or a package below it.
func under(importPath, prefix string) bool {
	return importPath == prefix || strings.HasPrefix(importPath, prefix+"/")
}
