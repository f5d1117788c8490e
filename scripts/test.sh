#!/usr/bin/env bash
# The whole check suite, as `make test` and CI run it:
#
#   scripts/test.sh                  services, go mod download, templ and gofmt checks, vet, lint, go test -race
#   scripts/test.sh COMMAND [ARG...]  only COMMAND, with the test services up and TEST_* exported
#
# When the test services were not already running, it starts them and, at the end, stops them
# and deletes their throwaway data, whether the checks passed or not. The exit code is the checks'.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

services=$ROOT/scripts/services.sh
started=0
if ! "$services" status test >/dev/null 2>&1; then
	started=1
fi
finish() {
	local rc=$?
	if [ "$started" = 1 ]; then
		"$services" purge test || true
	fi
	exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$services" start test
eval "$("$services" env test)"
# Integration tests fail, rather than skip, when a service they need is not configured.
export TFTSR_REQUIRE_INTEGRATION=1
# The browser tests check every page with axe-core.
TEST_AXE_PATH=$("$ROOT/scripts/install.sh" axe)
export TEST_AXE_PATH

if [ $# -gt 0 ]; then
	"$@"
	exit
fi

# step NAME COMMAND... runs one step and says how long it took.
step() {
	local name=$1 t=$SECONDS
	shift
	say "==> $name"
	"$@"
	say "    ($name: $((SECONDS - t)) s)"
}

step "go mod download" go mod download
step "templ generated code" scripts/checks.sh generated
step "gofmt" scripts/checks.sh fmt
step "go vet" go vet ./...
step "lint" scripts/checks.sh lint
step "go test" go test -race -count=1 -timeout 20m ./...
