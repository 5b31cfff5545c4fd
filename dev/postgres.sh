#!/usr/bin/env bash
# A private, throw-away PostgreSQL cluster for the sink's integration tests.
#
#   dev/postgres.sh start  [--dir DIR] [--port PORT]   # prints the SQLAlchemy URL on stdout
#   dev/postgres.sh status [--dir DIR] [--port PORT]   # exit 0 and print the URL when running, 3 when not
#   dev/postgres.sh stop   [--dir DIR]                 # nothing of this cluster is left running
#
# Defaults: DIR=<repo>/var/postgres (or $NEWSFLOW_PG_DIR), PORT=55432 (or $NEWSFLOW_PG_PORT).
# Only the URL goes to stdout, so `export NEWSFLOW_TEST_POSTGRES_URL=$(dev/postgres.sh start)` works;
# progress goes to stderr.
#
# Why a private cluster rather than Debian's "main" one: it needs no systemd, lives in the work tree
# (wiped with var/), listens on loopback only and on a port that does not collide with a system
# PostgreSQL. Authentication is `trust` on 127.0.0.1: this is a development database, never deploy it.
#
# PostgreSQL refuses to run as root, so when invoked as root the server runs as the `postgres` system
# user (created by the Debian package); as any other user it runs as that user.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd -- "$SCRIPT_DIR/.." && pwd)
PG_DIR=${NEWSFLOW_PG_DIR:-$REPO_DIR/var/postgres}
PG_PORT=${NEWSFLOW_PG_PORT:-55432}
PG_DB=newsflow
PG_SUPERUSER=postgres

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
CMD=$1
shift
while [[ $# -gt 0 ]]; do
    case $1 in
        --dir) [[ $# -ge 2 ]] || usage; PG_DIR=$2; shift 2 ;;
        --port) [[ $# -ge 2 ]] || usage; PG_PORT=$2; shift 2 ;;
        -h|--help) usage ;;
        *) usage ;;
    esac
done
[[ $PG_PORT =~ ^[0-9]+$ ]] || die "port must be a number, got '$PG_PORT'"
# Absolute, so that commands run from / (as the postgres user) still find it.
PG_DIR=$(realpath -m -- "$PG_DIR")
PG_LOG=$PG_DIR/server.log

find_bindir() {
    # Debian keeps the server binaries out of PATH, one directory per major version.
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n $dir && -x $dir/initdb ]]; then
        printf '%s\n' "$dir"
    elif command -v initdb >/dev/null 2>&1; then
        dirname -- "$(command -v initdb)"
    fi
}

install_postgres() {
    [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed and only root can apt-get install it"
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is not available"
    log "installing PostgreSQL with apt-get"
    # Stop the package from creating (and starting) Debian's default cluster on port 5432: we only
    # want the binaries, and nothing should be left running that `stop` does not know about.
    mkdir -p /etc/postgresql-common/createcluster.d
    printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.d/50-newsflow-dev.conf
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends postgresql postgresql-client >&2
    # Belt and braces: PostgreSQL was absent before this run, so any cluster now online was
    # started by the package's maintainer scripts; stop it, nothing of it is ours to keep running.
    if command -v pg_lsclusters >/dev/null 2>&1; then
        pg_lsclusters --no-header 2>/dev/null | while read -r version name _port status _rest; do
            if [[ $status == online* ]]; then
                log "stopping cluster $version/$name started by the package installation"
                pg_ctlcluster "$version" "$name" stop >&2 || true
            fi
        done
    fi
}

BINDIR=$(find_bindir)
if [[ -z $BINDIR && $CMD == start ]]; then
    install_postgres
    BINDIR=$(find_bindir)
fi
if [[ -z $BINDIR ]]; then
    [[ $CMD == start ]] && die "PostgreSQL binaries not found after installation"
    # stop/status without PostgreSQL installed: nothing can be running.
    log "PostgreSQL is not installed; no cluster is running"
    [[ $CMD == stop ]] && exit 0 || exit 3
fi

if [[ $(id -u) -eq 0 ]]; then
    id "$PG_SUPERUSER" >/dev/null 2>&1 || die "running as root but there is no '$PG_SUPERUSER' user to run the server"
    RUN_AS=$PG_SUPERUSER
else
    RUN_AS=$(id -un)
fi

as_server_user() {
    # `cd /` because the postgres user may not be allowed into the caller's working directory.
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u "$RUN_AS" -- "$@")
    else
        (cd / && "$@")
    fi
}

pg_ctl() { as_server_user "$BINDIR/pg_ctl" -D "$PG_DIR" "$@"; }

is_running() { [[ -f $PG_DIR/PG_VERSION ]] && pg_ctl status >/dev/null 2>&1; }

running_port() {
    # Line 4 of postmaster.pid is the port the running server actually listens on.
    sed -n '4p' "$PG_DIR/postmaster.pid" 2>/dev/null || true
}

print_url() {
    printf 'postgresql+asyncpg://%s@127.0.0.1:%s/%s\n' "$PG_SUPERUSER" "$1" "$PG_DB"
}

init_cluster() {
    if [[ -f $PG_DIR/PG_VERSION ]]; then
        local have want
        have=$(cat "$PG_DIR/PG_VERSION")
        want=$("$BINDIR/pg_ctl" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')
        [[ $have == "$want" ]] || die "$PG_DIR holds a PostgreSQL $have cluster but the binaries are $want; remove it"
        return
    fi
    if [[ -d $PG_DIR && -n $(ls -A -- "$PG_DIR") ]]; then
        die "$PG_DIR exists, is not empty and is not a PostgreSQL cluster; refusing to touch it"
    fi
    mkdir -p -- "$PG_DIR"
    if [[ $(id -u) -eq 0 ]]; then
        chown "$RUN_AS": "$PG_DIR"
        as_server_user test -x "$(dirname -- "$PG_DIR")" ||
            die "user '$RUN_AS' cannot reach $(dirname -- "$PG_DIR"); choose a --dir it can traverse"
    fi
    chmod 700 "$PG_DIR"
    log "initialising a cluster in $PG_DIR"
    as_server_user "$BINDIR/initdb" -D "$PG_DIR" -U "$PG_SUPERUSER" --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-instructions >&2
    cat >>"$PG_DIR/postgresql.conf" <<'EOF'

# newsflow dev cluster: port and listen address live in newsflow.conf, rewritten on every start.
include_if_exists = 'newsflow.conf'
EOF
}

write_settings() {
    # No Unix socket: the default socket directory (/var/run/postgresql) may not exist or may be
    # taken by a system cluster, and clients connect over TCP anyway.
    cat >"$PG_DIR/newsflow.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
EOF
    [[ $(id -u) -eq 0 ]] && chown "$RUN_AS": "$PG_DIR/newsflow.conf"
    return 0
}

ensure_database() {
    local port=$1 psql=("$BINDIR/psql" -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -X -q -v ON_ERROR_STOP=1)
    if [[ $("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") != 1 ]]; then
        log "creating database $PG_DB"
        "${psql[@]}" -d postgres -c "CREATE DATABASE $PG_DB" >&2
    fi
}

case $CMD in
    start)
        if is_running; then
            port=$(running_port)
            log "already running on 127.0.0.1:$port ($PG_DIR)"
        else
            init_cluster
            write_settings
            log "starting on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
            if ! pg_ctl -l "$PG_LOG" -w -t 60 start >&2; then
                tail -n 20 "$PG_LOG" >&2 || true
                die "PostgreSQL did not start"
            fi
            port=$PG_PORT
        fi
        ensure_database "$port"
        print_url "$port"
        ;;
    stop)
        if is_running; then
            log "stopping ($PG_DIR)"
            pg_ctl -m fast -w -t 60 stop >&2
        else
            log "not running ($PG_DIR)"
        fi
        if is_running; then
            die "server in $PG_DIR is still running"
        fi
        ;;
    status)
        if is_running; then
            port=$(running_port)
            log "running on 127.0.0.1:$port ($PG_DIR)"
            print_url "$port"
        else
            log "not running ($PG_DIR)"
            exit 3
        fi
        ;;
    *)
        usage
        ;;
esac
