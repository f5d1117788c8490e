#!/usr/bin/env bash
# Source checks run by `make test`, each usable alone.
#
#   scripts/checks.sh generate    run `go tool templ generate` for every folder holding .templ files
#   scripts/checks.sh generated   generating must not change any *_templ.go file
#   scripts/checks.sh fmt         gofmt must have nothing to say about the Go files
#   scripts/checks.sh fmt-write   gofmt -w the Go files
#   scripts/checks.sh lint        staticcheck, and the architecture test (which package may import which)
#
# "The Go files" are those git tracks plus untracked ones it does not ignore (all of them
# outside a git work tree), so a file is checked before its first commit too.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# prune lists folders no check looks into: VCS data, services' data, tools, build output.
prune=(-path ./.git -o -path ./.data -o -path ./.tools -o -path ./bin -o -name node_modules -o -name vendor)

# go_files prints the Go files, NUL-separated.
go_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard -- '*.go' |
			while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done
	else
		find . \( "${prune[@]}" \) -prune -o -type f -name '*.go' -print0
	fi
}

# templ_snapshot prints the name and hash of every generated templ file.
templ_snapshot() {
	find . \( "${prune[@]}" \) -prune -o -type f -name '*_templ.go' -print0 |
		sort -z | xargs -0 -r sha256sum
}

# generate runs the templ generator once per folder that holds .templ files. templ records each
# source's path relative to where it was pointed in the generated code, so generating from the
# root would write `views/x.templ` where a run in the folder writes `x.templ`; one folder at a
# time gives the same output however a developer runs it (`cd views && go tool templ generate`
# or `go tool templ generate -path views`).
generate() {
	local dir
	find . \( "${prune[@]}" \) -prune -o -type f -name '*.templ' -printf '%h\0' | sort -zu |
		while IFS= read -r -d '' dir; do
			go tool templ generate -log-level warn -path "$dir"
		done
}

check_generated() {
	local before after
	before=$(templ_snapshot)
	generate
	after=$(templ_snapshot)
	if [ "$before" != "$after" ]; then
		say "error: generated templ code was out of date; run 'make generate' and commit the result:"
		diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") |
			sed -n 's/^[<>] [0-9a-f]*  /  /p' | sort -u >&2
		exit 1
	fi
}

check_fmt() {
	local out
	out=$(go_files | xargs -0 -r gofmt -l)
	if [ -n "$out" ]; then
		say "error: these files need gofmt (run 'make fmt'):"
		printf '%s\n' "$out" | sed 's/^/  /' >&2
		exit 1
	fi
}

# lint runs staticcheck with its default checks and the import rule of internal/archtest. The
# archtest reads the source through `go list`, which go test's cache does not see: -count=1.
lint() {
	go tool staticcheck ./...
	go test -count=1 ./internal/archtest
}

case "${1:-}" in
generate) generate ;;
generated) check_generated ;;
fmt) check_fmt ;;
fmt-write) go_files | xargs -0 -r gofmt -l -w ;;
lint) lint ;;
*) die "usage: $0 generate | generated | fmt | fmt-write | lint" ;;
esac
