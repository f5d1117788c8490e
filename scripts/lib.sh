# shellcheck shell=bash disable=SC2034  # the variables set here are used by the scripts that source it
# Helpers shared by the scripts in this folder. Source it; it does not run anything by itself.

# ROOT is the checkout this script belongs to, whatever the caller's working directory.
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)

# MINIO_VERSION pins the MinIO server. MinIO has no semver tags; this is what @latest
# resolved to when the project chose it. Change it here only.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

# CACHE_DIR lives outside the checkout so that a fresh clone (CI) reuses the MinIO build.
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/tftsr

# Fixed development credentials of the private MinIO instances (loopback only).
S3_USER=tftsrdev
S3_PASSWORD=tftsrdev-secret-key

CHROME=/usr/bin/chromium

# AXE_VERSION pins axe-core, the accessibility checker the browser tests run inside Chromium;
# AXE_INTEGRITY is the npm registry's sha512 of that version's tarball. Change them together.
AXE_VERSION=4.10.3
AXE_INTEGRITY=sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg==

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# as_root runs a command as root: directly when we are root, else through sudo.
# $AS_ROOT_WHAT names what is being done, for the error message.
as_root() {
	if is_root; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root to run: $* (${AS_ROOT_WHAT:-install packages}); run it as root or install sudo"
	fi
}

# port_open HOST PORT succeeds when something accepts TCP connections there.
port_open() {
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# http_ok HOST PORT PATH succeeds when GET PATH answers 200. Uses bash's /dev/tcp, so it
# needs neither curl nor wget.
http_ok() {
	(
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$3" "$1" "$2" >&3
		IFS= read -r -t 2 line <&3 || exit 1
		case $line in "HTTP/1."?" 200"*) exit 0 ;; *) exit 1 ;; esac
	) 2>/dev/null
}

# short_hash STRING prints 8 hex digits identifying STRING (used to name /tmp fallbacks).
short_hash() {
	printf '%s' "$1" | cksum | { read -r sum _; printf '%08x' "$sum"; }
}

# shquote VALUE prints VALUE quoted for any POSIX shell.
shquote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# The upstream Go toolchain may not be on PATH in a non-login shell.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH=/usr/local/go/bin:$PATH
	export PATH
fi

# profile PROFILE sets the ports, folders and variable names of a profile: "run" for
# `make run`, "test" for `make test`. Each profile has its own ports, so both can run at once.
profile() {
	P=$1
	case $P in
	run)
		PG_PORT=5433 S3_PORT=9000 S3_CONSOLE_PORT=9001 BUCKET=tftsr
		V_DB=DATABASE_URL V_S3=TFTSR_S3_ENDPOINT V_S3_ACCESS=TFTSR_S3_ACCESS_KEY
		V_S3_SECRET=TFTSR_S3_SECRET_KEY V_S3_BUCKET=TFTSR_S3_BUCKET V_CHROME=TFTSR_CHROME_PATH
		;;
	test)
		PG_PORT=5434 S3_PORT=9002 S3_CONSOLE_PORT=9003 BUCKET=tftsr-test
		V_DB=TEST_DATABASE_URL V_S3=TEST_S3_ENDPOINT V_S3_ACCESS=TEST_S3_ACCESS_KEY
		V_S3_SECRET=TEST_S3_SECRET_KEY V_S3_BUCKET=TEST_S3_BUCKET V_CHROME=TEST_CHROME_PATH
		;;
	*) die "unknown profile '${1:-}' (want run or test)" ;;
	esac
	# TFTSR_RUN_PG_PORT, TFTSR_TEST_S3_PORT, ... move a profile off its usual ports, e.g. to run
	# the tests of two checkouts on one machine at once.
	local up=${P^^}
	local v=TFTSR_${up}_PG_PORT; PG_PORT=${!v:-$PG_PORT}
	v=TFTSR_${up}_S3_PORT; S3_PORT=${!v:-$S3_PORT}
	v=TFTSR_${up}_S3_CONSOLE_PORT; S3_CONSOLE_PORT=${!v:-$S3_CONSOLE_PORT}
	DATA=$ROOT/.data/$P
	# FALLBACK holds the Postgres cluster when the postgres user cannot reach $DATA
	# (a checkout under a mode-700 home, say). The hash keeps two checkouts apart.
	FALLBACK=/tmp/tftsr-$P-$(short_hash "$ROOT")
}

# A variable the user has set points the profile at a server of their own: the matching
# local service is then neither installed nor started.
external_db() { [ -n "${!V_DB:-}" ]; }
external_s3() { [ -n "${!V_S3:-}" ]; }
external_chrome() { [ -n "${!V_CHROME:-}" ]; }
