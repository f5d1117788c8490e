package archtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tftsr/internal/archtest"
)

// TestArchitecture checks the imports of every Go file of the module, tests included, against
// the rule of package archtest, and names each import that breaks it.
func TestArchitecture(t *testing.T) {
	root := strings.TrimSpace(goCmd(t, ".", "list", "-m", "-f", "{{.Dir}}"))
	std := map[string]bool{"C": true}
	for _, p := range strings.Fields(goCmd(t, root, "list", "std")) {
		std[p] = true
	}
	pkgs := load(t, root)

	// An empty or unparsed module would pass vacuously: make sure the check saw the layout.
	n := 0
	for _, p := range pkgs {
		n += len(p.Imports)
	}
	for _, want := range []string{"tftsr/domain", "tftsr/db", "tftsr/handlers", "tftsr/views", "tftsr/cmd/tftsr"} {
		if !slices.ContainsFunc(pkgs, func(p archtest.Package) bool { return p.Path == want }) {
			t.Fatalf("go list found no package %s in %s", want, root)
		}
	}
	if n < 100 {
		t.Fatalf("only %d imports found in %d packages", n, len(pkgs))
	}

	for _, msg := range archtest.Check(pkgs, func(p string) bool { return std[p] }) {
		t.Error(msg)
	}
}

// load lists the module's packages with the imports of each of their files, positions relative
// to root.
func load(t *testing.T, root string) []archtest.Package {
	t.Helper()
	out := goCmd(t, root, "list", "-json=ImportPath,Dir,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles", "./...")
	fset := token.NewFileSet()
	var pkgs []archtest.Package
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var lp struct {
			ImportPath, Dir                              string
			GoFiles, CgoFiles, TestGoFiles, XTestGoFiles []string
		}
		if err := dec.Decode(&lp); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		p := archtest.Package{Path: lp.ImportPath}
		for _, name := range slices.Concat(lp.GoFiles, lp.CgoFiles, lp.TestGoFiles, lp.XTestGoFiles) {
			file := filepath.Join(lp.Dir, name)
			f, err := parser.ParseFile(fset, file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			rel, err := filepath.Rel(root, file)
			if err != nil {
				t.Fatal(err)
			}
			for _, spec := range f.Imports {
				path, err := strconv.Unquote(spec.Path.Value)
				if err != nil {
					t.Fatalf("%s: %v", rel, err)
				}
				p.Imports = append(p.Imports, archtest.Import{Path: path,
					Pos:  fmt.Sprintf("%s:%d", filepath.ToSlash(rel), fset.Position(spec.Pos()).Line),
					Test: strings.HasSuffix(name, "_test.go")})
			}
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// goCmd runs the go command in dir and returns its standard output.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return string(out)
}

// TestCheck proves the rule can fail: each case is a module of fake packages, and the messages
// Check returns must name exactly the imports the case calls wrong.
func TestCheck(t *testing.T) {
	std := func(p string) bool {
		return !strings.Contains(strings.Split(p, "/")[0], ".") && !strings.HasPrefix(p, "tftsr")
	}
	// pkg is a package whose file imports paths; a path starting with "test:" is imported by a
	// test file.
	pkg := func(path string, imports ...string) archtest.Package {
		p := archtest.Package{Path: path}
		for i, imp := range imports {
			imp, test := strings.CutPrefix(imp, "test:")
			p.Imports = append(p.Imports, archtest.Import{Path: imp, Pos: fmt.Sprintf("%s/f.go:%d", strings.TrimPrefix(path, "tftsr/"), i+1), Test: test})
		}
		return p
	}
	// The layout as it is meant to be, which must pass.
	good := []archtest.Package{
		pkg("tftsr/domain", "context", "golang.org/x/text/encoding/unicode", "golang.org/x/text", "tftsr/domain/pii", "test:tftsr/domain", "test:testing"),
		pkg("tftsr/domain/pii", "bytes"),
		pkg("tftsr/db", "github.com/jackc/pgx/v5", "tftsr/domain", "tftsr/domain/pii", "tftsr/migrations", "test:tftsr/db/dbtest", "test:tftsr/db"),
		pkg("tftsr/db/dbtest", "testing", "tftsr/db"),
		pkg("tftsr/blob", "github.com/minio/minio-go/v7", "tftsr/domain", "test:tftsr/blob/blobtest"),
		pkg("tftsr/blob/blobtest", "tftsr/blob", "tftsr/domain"),
		pkg("tftsr/pdf", "tftsr/domain", "tftsr/markdown"),
		pkg("tftsr/ai", "tftsr/domain", "test:tftsr/ai/aitest"),
		pkg("tftsr/ai/aitest", "tftsr/domain"),
		pkg("tftsr/integrations/mcp", "tftsr/domain"),
		pkg("tftsr/markdown", "github.com/yuin/goldmark"),
		pkg("tftsr/views", "github.com/a-h/templ", "tftsr/domain", "tftsr/domain/digest", "tftsr/static", "tftsr/markdown"),
		pkg("tftsr/handlers", "github.com/labstack/echo/v4", "tftsr/domain", "tftsr/views", "tftsr/static",
			"test:tftsr/db", "test:tftsr/db/dbtest", "test:tftsr/blob/blobtest", "test:tftsr/ai/aitest", "test:tftsr/handlers"),
		pkg("tftsr/static", "embed"),
		pkg("tftsr/migrations", "embed"),
		pkg("tftsr/cmd/tftsr", "tftsr/db", "tftsr/blob", "tftsr/pdf", "tftsr/ai", "tftsr/handlers", "test:tftsr/db/dbtest"),
		pkg("tftsr/internal/archtest", "fmt", "test:tftsr/internal/archtest"),
	}
	for _, tc := range []struct {
		name string
		add  archtest.Package
		want []string // one substring per message Check must return
	}{
		{"good layout", archtest.Package{Path: "tftsr/domain/report"}, nil},
		{"handlers imports an adapter", pkg("tftsr/handlers", "tftsr/domain", "tftsr/db"),
			[]string{"handlers/f.go:2: tftsr/handlers imports tftsr/db: handlers may import only domain, views, static"}},
		{"handlers imports an adapter's sub-package", pkg("tftsr/handlers", "tftsr/ai/aitest"),
			[]string{"tftsr/handlers imports tftsr/ai/aitest"}},
		{"adapter imports adapter", pkg("tftsr/db", "tftsr/domain", "tftsr/blob", "tftsr/pdf"),
			[]string{"tftsr/db imports tftsr/blob", "tftsr/db imports tftsr/pdf"}},
		{"adapter sub-package imports adapter", pkg("tftsr/integrations/mcp", "tftsr/ai"),
			[]string{"tftsr/integrations/mcp imports tftsr/ai: integrations may import only domain"}},
		{"adapter test imports another adapter's helper", pkg("tftsr/blob", "test:tftsr/db/dbtest"),
			[]string{"blob/f.go:1: tftsr/blob imports tftsr/db/dbtest"}},
		{"adapter imports handlers", pkg("tftsr/pdf", "tftsr/handlers"), []string{"tftsr/pdf imports tftsr/handlers"}},
		{"views imports handlers", pkg("tftsr/views", "tftsr/handlers"), []string{"tftsr/views imports tftsr/handlers"}},
		{"views imports an adapter", pkg("tftsr/views", "tftsr/blob"), []string{"tftsr/views imports tftsr/blob"}},
		{"domain imports a third-party package", pkg("tftsr/domain", "github.com/jackc/pgx/v5"),
			[]string{"tftsr/domain imports github.com/jackc/pgx/v5: outside tftsr, domain may import only the standard library, golang.org/x/text"}},
		{"allowlist is a path prefix, not a string prefix", pkg("tftsr/domain", "golang.org/x/textual"),
			[]string{"tftsr/domain imports golang.org/x/textual"}},
		{"domain sub-package imports an adapter", pkg("tftsr/domain/pii", "tftsr/db"), []string{"tftsr/domain/pii imports tftsr/db"}},
		{"domain sub-package imports views", pkg("tftsr/domain/digest", "tftsr/views"), []string{"tftsr/domain/digest imports tftsr/views"}},
		{"domain test imports an adapter's helper", pkg("tftsr/domain", "test:tftsr/blob/blobtest"),
			[]string{"tftsr/domain imports tftsr/blob/blobtest"}},
		{"domain test imports a third-party package", pkg("tftsr/domain", "test:github.com/PuerkitoBio/goquery"),
			[]string{"tftsr/domain imports github.com/PuerkitoBio/goquery"}},
		{"markdown imports domain", pkg("tftsr/markdown", "tftsr/domain"),
			[]string{"tftsr/markdown imports tftsr/domain: markdown may import nothing else of tftsr"}},
		{"a helper outside tests", pkg("tftsr/db", "tftsr/db/dbtest"),
			[]string{"tftsr/db imports tftsr/db/dbtest: a test helper package is for test files only"}},
		{"cmd imports a helper outside tests", pkg("tftsr/cmd/tftsr", "tftsr/ai/aitest"), []string{"tftsr/cmd/tftsr imports tftsr/ai/aitest"}},
		{"package in no layer", pkg("tftsr/format", "fmt"), []string{`tftsr/format is in no layer of the architecture: add "format"`}},
		{"root package", archtest.Package{Path: "tftsr"}, []string{"tftsr is in no layer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := archtest.Check(append(slices.Clone(good), tc.add), std)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d messages, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("message %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}
