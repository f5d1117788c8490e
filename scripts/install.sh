#!/usr/bin/env bash
# Installs what the local services need, and nothing that is already there.
#
#   scripts/install.sh system PROFILE        install the Debian packages PROFILE needs (run|test)
#   scripts/install.sh packages PACKAGE...   install those of the named Debian packages that are missing
#   scripts/install.sh minio                 build the pinned MinIO server once; print its path
#   scripts/install.sh axe                   fetch the pinned axe-core once from npm; print its path
#
# Debian packages go in with --no-install-recommends; `apt-get update` runs only when something
# is missing. As a normal user this uses sudo. The MinIO binary is cached outside the checkout,
# in ${XDG_CACHE_HOME:-$HOME/.cache}/tftsr, so fresh clones reuse it, and linked into .tools/bin.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

# install_packages installs those of the named Debian packages that are not installed.
install_packages() {
	[ $# -gt 0 ] || return 0
	local missing=() p status
	declare -A installed=()
	while read -r p status; do
		[ "$status" = installed ] && installed[$p]=1
	done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true)
	for p in "$@"; do
		[ -n "${installed[$p]:-}" ] || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0

	command -v apt-get >/dev/null 2>&1 ||
		die "apt-get not found (this needs Debian or Ubuntu); install these packages: ${missing[*]}"
	if ! is_root && ! command -v sudo >/dev/null 2>&1; then
		die "missing Debian packages: ${missing[*]}; install them as root (apt-get install --no-install-recommends ${missing[*]}) or install sudo"
	fi
	say "installing Debian packages: ${missing[*]}"
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q)
	as_root "${apt[@]}" update >/dev/null ||
		die "apt-get update failed; install these packages by hand: ${missing[*]}"
	as_root "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install failed for: ${missing[*]}"
}

# install_system installs the Debian packages that the services of a profile need: PostgreSQL
# (unless the profile's database URL is set), Chromium (unless its path is set), poppler-utils
# and fonts for the PDFs, and for `go test -race` a C compiler if there is none.
install_system() {
	profile "$1"
	# postgresql-client brings pg_dump and pg_restore for `tftsr backup` and `tftsr restore`.
	local pkgs=(postgresql-client poppler-utils fonts-dejavu-core fonts-liberation2 fonts-noto-core)
	external_db || pkgs+=(postgresql postgresql-contrib)
	external_chrome || pkgs+=(chromium)
	if [ "$P" = test ] && ! command -v gcc >/dev/null 2>&1; then
		pkgs+=(gcc libc6-dev)
	fi
	install_packages "${pkgs[@]}"
	if ! external_chrome && [ ! -x "$CHROME" ]; then
		die "$CHROME is missing although the chromium package is installed"
	fi
}

# install_minio makes sure the pinned MinIO server is built and linked into .tools/bin and
# prints the link's path. A lock keeps two concurrent callers from building it twice.
install_minio() {
	local bin="$CACHE_DIR/minio-$MINIO_VERSION" link="$ROOT/.tools/bin/minio"
	if [ ! -x "$bin" ]; then
		command -v go >/dev/null 2>&1 || die "go not found on PATH; it is needed to build MinIO"
		mkdir -p "$CACHE_DIR"
		exec 9>"$CACHE_DIR/minio.lock"
		if ! flock -n 9; then
			say "waiting for another process that is building MinIO..."
			flock 9
		fi
		if [ ! -x "$bin" ]; then
			local tmp
			tmp=$(mktemp -d "$CACHE_DIR/minio-build.XXXXXX")
			say "building the MinIO server $MINIO_VERSION once (about 5 minutes on a cold machine)..."
			if ! (cd "$tmp" && GOFLAGS="" GOBIN="$tmp" go install "github.com/minio/minio@$MINIO_VERSION"); then
				rm -rf "$tmp"
				die "building MinIO failed (see the go output above)"
			fi
			mv -f "$tmp/minio" "$bin"
			rm -rf "$tmp"
		fi
		flock -u 9
		exec 9>&-
	fi
	mkdir -p "$ROOT/.tools/bin"
	[ "$(readlink "$link" 2>/dev/null)" = "$bin" ] || ln -sfn "$bin" "$link"
	printf '%s\n' "$link"
}

# install_axe makes sure the pinned axe-core script is cached (checked against its registry
# checksum) and linked into .tools, and prints the link's path.
install_axe() {
	local js="$CACHE_DIR/axe-core-$AXE_VERSION.min.js" link="$ROOT/.tools/axe.min.js"
	if [ ! -s "$js" ]; then
		command -v npm >/dev/null 2>&1 || install_packages npm
		command -v openssl >/dev/null 2>&1 || install_packages openssl
		mkdir -p "$CACHE_DIR"
		local tmp sum
		tmp=$(mktemp -d "$CACHE_DIR/axe.XXXXXX")
		say "fetching axe-core $AXE_VERSION from the npm registry..."
		if ! (cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null); then
			rm -rf "$tmp"
			die "npm pack axe-core@$AXE_VERSION failed (see above)"
		fi
		sum="sha512-$(openssl dgst -sha512 -binary "$tmp/axe-core-$AXE_VERSION.tgz" | base64 -w0)"
		if [ "$sum" != "$AXE_INTEGRITY" ]; then
			rm -rf "$tmp"
			die "axe-core-$AXE_VERSION.tgz has checksum $sum, expected $AXE_INTEGRITY"
		fi
		tar -xzf "$tmp/axe-core-$AXE_VERSION.tgz" -C "$tmp" package/axe.min.js
		mv -f "$tmp/package/axe.min.js" "$js"
		rm -rf "$tmp"
	fi
	mkdir -p "$ROOT/.tools"
	[ "$(readlink "$link" 2>/dev/null)" = "$js" ] || ln -sfn "$js" "$link"
	printf '%s\n' "$link"
}

case "${1:-}" in
system) [ $# = 2 ] || die "usage: $0 system run|test"; install_system "$2" ;;
packages) shift; install_packages "$@" ;;
minio) install_minio ;;
axe) install_axe ;;
*) die "usage: $0 system PROFILE | packages PACKAGE... | minio | axe" ;;
esac
