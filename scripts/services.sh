#!/usr/bin/env bash
# Private PostgreSQL and MinIO instances for `make run` and `make test`.
#
#   scripts/services.sh start PROFILE     install what is missing, start what is not running
#   scripts/services.sh stop [PROFILE]    stop the services (both profiles when none is named)
#   scripts/services.sh status [PROFILE]  describe them; exit 0 only when all are up
#   scripts/services.sh env PROFILE       print `export` lines for the Go program or the tests
#   scripts/services.sh purge PROFILE     stop the services and delete their data
#
# PROFILE is "run" (Postgres 127.0.0.1:5433, MinIO 127.0.0.1:9000) or "test" (5434 and 9002).
# Data lives under .data/PROFILE. The system's own Postgres cluster (port 5432) is never touched.
# A variable that is already set wins over the default printed by `env`; when it names a server
# (DATABASE_URL, TFTSR_S3_ENDPOINT, TEST_DATABASE_URL, TEST_S3_ENDPOINT) the local one is not started.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	die "usage: $0 start PROFILE | stop [PROFILE] | status [PROFILE] | env PROFILE | purge PROFILE  (PROFILE: run or test)"
}

# --- PostgreSQL ---------------------------------------------------------------------------

# The run profile's database roles (scripts/roles.sql): the owner migrates, the app serves.
PG_OWNER=tftsr_owner
PG_APP=tftsr_app

# as_pg runs a PostgreSQL binary as the postgres user when we are root (initdb and pg_ctl
# refuse root), from / so that an unreadable working directory does not matter.
as_pg() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# pg_bindir [DATADIR] prints the binaries folder: the cluster's own major version when it
# exists, else the newest installed one.
pg_bindir() {
	local d
	if [ -n "${1:-}" ] && [ -s "$1/PG_VERSION" ]; then
		d=/usr/lib/postgresql/$(<"$1/PG_VERSION")/bin
		[ -x "$d/postgres" ] ||
			die "the cluster in $1 was made by PostgreSQL $(<"$1/PG_VERSION"), which is not installed; remove $(dirname "$1") to start afresh"
	else
		d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
		[ -n "$d" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
	fi
	printf '%s\n' "$d"
}

# pg_home prints the folder of the profile's cluster: the one that already holds a cluster,
# else .data/PROFILE/pg when the postgres user can reach it, else the /tmp fallback.
pg_home() {
	local r
	for r in "$DATA/pg" "$FALLBACK/pg"; do
		if [ -s "$r/data/PG_VERSION" ]; then
			printf '%s\n' "$r"
			return
		fi
	done
	if is_root && ! (cd / && runuser -u postgres -- test -x "$DATA") 2>/dev/null; then
		printf '%s\n' "$FALLBACK/pg"
	else
		printf '%s\n' "$DATA/pg"
	fi
}

# pg_sockdir HOME prints the unix socket folder: inside HOME unless that path is too long
# for a socket name (about 100 bytes), then in the /tmp fallback.
pg_sockdir() {
	local s=$1/run
	[ ${#s} -le 80 ] || s=$FALLBACK/run
	printf '%s\n' "$s"
}

pg_running() { # HOME
	[ -s "$1/data/PG_VERSION" ] &&
		as_pg "$(pg_bindir "$1/data")/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

# pg_conf SOCKDIR prints the settings written to the cluster's tftsr.conf on every start.
pg_conf() {
	printf '%s\n' \
		"# Written by scripts/services.sh at every start: change the script, not this file." \
		"port = $PG_PORT" \
		"listen_addresses = '127.0.0.1'" \
		"unix_socket_directories = '${1//\'/\'\'}'" \
		"max_connections = 200"
	if [ "$P" = test ]; then
		# A throwaway cluster: durability buys nothing here.
		printf '%s\n' "fsync = off" "synchronous_commit = off" "full_page_writes = off"
	fi
}

start_pg() {
	local home data bin sock
	home=$(pg_home)
	data=$home/data
	bin=$(pg_bindir "$data")
	if ! pg_running "$home"; then
		if port_open 127.0.0.1 "$PG_PORT"; then
			die "port $PG_PORT is taken by another server (the '$P' services of another checkout? run 'scripts/services.sh stop $P' there)"
		fi
		sock=$(pg_sockdir "$home")
		mkdir -p "$home" "$sock"
		if is_root; then chown postgres:postgres "$home" "$sock"; fi
		if [ ! -s "$data/PG_VERSION" ]; then
			if ! as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
				>"$home/initdb.log" 2>&1; then
				tail -n 20 "$home/initdb.log" >&2
				die "initdb failed for the '$P' cluster in $home"
			fi
			printf "\ninclude_if_exists = 'tftsr.conf'\n" | as_pg tee -a "$data/postgresql.conf" >/dev/null
		fi
		pg_conf "$sock" | as_pg tee "$data/tftsr.conf" >/dev/null
		if ! as_pg "$bin/pg_ctl" -D "$data" -l "$home/postgres.log" -w -t 60 start >/dev/null; then
			tail -n 20 "$home/postgres.log" >&2
			die "PostgreSQL ($P) did not start; its log is $home/postgres.log"
		fi
	fi
	local q=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tA)
	if [ "$("${q[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'tftsr'")" != 1 ]; then
		"${q[@]}" -c "CREATE DATABASE tftsr" >/dev/null
	fi
	if [ "$P" = run ]; then
		# The portal serves as a role that owns nothing and migrates as one that is no
		# superuser (scripts/roles.sql; `env` prints their URLs).
		"$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d tftsr -c "SELECT set_config('tftsr.owner', '$PG_OWNER', false), set_config('tftsr.app', '$PG_APP', false)" \
			-f "$ROOT/scripts/roles.sql" >/dev/null
	fi
}

stop_pg() {
	local home
	for home in "$DATA/pg" "$FALLBACK/pg"; do
		if pg_running "$home"; then
			as_pg "$(pg_bindir "$home/data")/pg_ctl" -D "$home/data" -m fast -w stop >/dev/null
			say "stopped PostgreSQL ($P)"
		fi
	done
}

# --- MinIO --------------------------------------------------------------------------------

minio_dir() { printf '%s\n' "$DATA/minio"; }

# minio_pid prints the pid of this profile's MinIO server when it runs.
minio_pid() {
	local dir pid
	dir=$(minio_dir)
	[ -s "$dir/minio.pid" ] || return 1
	pid=$(<"$dir/minio.pid")
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/data" || return 1
	printf '%s\n' "$pid"
}

start_minio() {
	local dir bin port i
	dir=$(minio_dir)
	if ! minio_pid >/dev/null; then
		for port in "$S3_PORT" "$S3_CONSOLE_PORT"; do
			if port_open 127.0.0.1 "$port"; then
				die "port $port is taken by another server (the '$P' services of another checkout? run 'scripts/services.sh stop $P' there)"
			fi
		done
		bin=$("$ROOT/scripts/install.sh" minio)
		mkdir -p "$dir/data"
		rm -f "$dir/minio.pid"
		# setsid: its own session, so a Ctrl-C in `make run` does not reach it.
		# The inner shell records its pid and becomes the server.
		# shellcheck disable=SC2016
		MINIO_ROOT_USER=$S3_USER MINIO_ROOT_PASSWORD=$S3_PASSWORD MINIO_BROWSER=off \
			setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/minio.pid" \
			"$bin" server "$dir/data" \
			--address "127.0.0.1:$S3_PORT" --console-address "127.0.0.1:$S3_CONSOLE_PORT" \
			</dev/null >"$dir/minio.log" 2>&1 &
	fi
	for ((i = 0; i < 600; i++)); do
		if http_ok 127.0.0.1 "$S3_PORT" /minio/health/ready && minio_pid >/dev/null; then
			return 0
		fi
		if ((i > 20)) && ! minio_pid >/dev/null; then
			break
		fi
		sleep 0.1
	done
	tail -n 20 "$dir/minio.log" >&2 || true
	die "MinIO ($P) did not become ready on 127.0.0.1:$S3_PORT; its log is $dir/minio.log"
}

stop_minio() {
	local pid i
	pid=$(minio_pid) || return 0
	kill "$pid"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
	rm -f "$(minio_dir)/minio.pid"
	say "stopped MinIO ($P)"
}

# --- the database encryption key ----------------------------------------------------------

# db_key prints the run profile's TFTSR_DB_KEY, creating .data/run/db.key (mode 600) once.
db_key() {
	local f=$ROOT/.data/run/db.key tmp
	if [ ! -s "$f" ]; then
		mkdir -p "$(dirname "$f")"
		tmp=$(mktemp "$f.XXXXXX")
		head -c 32 /dev/urandom | base64 -w 0 >"$tmp"
		chmod 600 "$tmp"
		ln "$tmp" "$f" 2>/dev/null || true # the first writer wins; a racing one reads its key
		rm -f "$tmp"
	fi
	tr -d '\n' <"$f"
}

# --- commands -----------------------------------------------------------------------------

cmd_start() {
	profile "$1"
	mkdir -p "$DATA"
	if is_root; then chmod a+x "$ROOT/.data" "$DATA"; fi
	"$ROOT/scripts/install.sh" system "$P"
	local what=()
	if external_db; then what+=("PostgreSQL: \$$V_DB"); else
		start_pg
		what+=("PostgreSQL 127.0.0.1:$PG_PORT")
	fi
	if external_s3; then what+=("S3: \$$V_S3"); else
		start_minio
		what+=("MinIO 127.0.0.1:$S3_PORT")
	fi
	if [ "$P" = run ] && [ -z "${TFTSR_DB_KEY:-}" ]; then db_key >/dev/null; fi
	say "services ($P) ready: ${what[0]}, ${what[1]}"
}

cmd_stop() {
	local p
	for p in ${1:-run test}; do
		profile "$p"
		stop_minio
		if [ -d /usr/lib/postgresql ]; then stop_pg; fi
	done
}

# cmd_purge stops a profile's services and deletes all their data, in the checkout and in
# the /tmp fallback (for run, that includes the database key).
cmd_purge() {
	cmd_stop "$1"
	profile "$1"
	rm -rf "$DATA" "$FALLBACK"
}

cmd_status() {
	local p ok=0 home pid
	for p in ${1:-run test}; do
		profile "$p"
		if external_db; then
			say "$P postgres: external (\$$V_DB)"
		elif [ -d /usr/lib/postgresql ] && home=$(pg_home) && pg_running "$home"; then
			say "$P postgres: running on 127.0.0.1:$PG_PORT, data in $home"
		else
			say "$P postgres: stopped"
			ok=3
		fi
		if external_s3; then
			say "$P minio:    external (\$$V_S3)"
		elif pid=$(minio_pid) && http_ok 127.0.0.1 "$S3_PORT" /minio/health/ready; then
			say "$P minio:    running on 127.0.0.1:$S3_PORT (pid $pid), data in $(minio_dir)/data"
		else
			say "$P minio:    stopped"
			ok=3
		fi
		if external_chrome; then
			say "$P chromium: ${!V_CHROME}"
		elif [ -x "$CHROME" ]; then
			say "$P chromium: $CHROME"
		else
			say "$P chromium: not installed"
			ok=3
		fi
	done
	return $ok
}

# emit NAME DEFAULT prints an export line with the variable's own value when it is set,
# else DEFAULT (nothing when both are empty).
emit() {
	local v=${!1:-$2}
	[ -n "$v" ] || return 0
	printf 'export %s=%s\n' "$1" "$(shquote "$v")"
}

cmd_env() {
	profile "$1"
	local db=tftsr
	[ "$P" = run ] || db=postgres # the tests create their own databases
	if [ "$P" = run ]; then
		if external_db; then emit "$V_DB" ""; else
			emit "$V_DB" "postgres://$PG_APP@127.0.0.1:$PG_PORT/$db?sslmode=disable"
			emit TFTSR_MIGRATE_DATABASE_URL "postgres://$PG_OWNER@127.0.0.1:$PG_PORT/$db?sslmode=disable"
		fi
	else
		emit "$V_DB" "postgres://postgres@127.0.0.1:$PG_PORT/$db?sslmode=disable"
	fi
	if external_s3; then
		# Their server, their credentials: no defaults.
		emit "$V_S3" ""
		emit "$V_S3_ACCESS" ""
		emit "$V_S3_SECRET" ""
	else
		emit "$V_S3" "127.0.0.1:$S3_PORT"
		emit "$V_S3_ACCESS" "$S3_USER"
		emit "$V_S3_SECRET" "$S3_PASSWORD"
	fi
	emit "$V_S3_BUCKET" "$BUCKET"
	emit "$V_CHROME" "$CHROME"
	if [ "$P" = run ]; then
		if [ -n "${TFTSR_DB_KEY:-}" ]; then emit TFTSR_DB_KEY ""; else emit TFTSR_DB_KEY "$(db_key)"; fi
	fi
}

case "${1:-}" in
start)
	[ $# = 2 ] || usage
	profile "$2"
	mkdir -p "$DATA"
	# One start at a time per profile and checkout (two `make test` at once, say). -o keeps
	# the lock out of the servers started under it, which would otherwise hold it forever.
	exec flock -o "$DATA/.start.lock" "$ROOT/scripts/services.sh" start-locked "$2"
	;;
start-locked) cmd_start "$2" ;;
stop) [ $# -le 2 ] || usage; cmd_stop "${@:2}" ;;
status) [ $# -le 2 ] || usage; cmd_status "${@:2}" ;;
env) [ $# = 2 ] || usage; cmd_env "$2" ;;
purge) [ $# = 2 ] || usage; cmd_purge "$2" ;;
*) usage ;;
esac
