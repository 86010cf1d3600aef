#!/usr/bin/env bash
# The services the tests talk to: PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and NATS
# with JetStream on 127.0.0.1:4222. Starts whichever is down; on a fresh Debian machine installs it
# first (only when its binaries are missing). Safe to run any number of times.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
NATS_HOST=127.0.0.1
NATS_PORT=4222
NATS_BIN=/usr/sbin/nats-server
NATS_STORE=/var/lib/nats-server
NATS_LOG=/var/log/nats-server.log
# Its own pid file: without one, start-stop-daemon takes any running nats-server (say, the one
# `npm start` runs on 4322) for this one and starts nothing.
NATS_PIDFILE=/run/nats-server-4222.pid

log() { printf '[services] %s\n' "$*"; }
die() {
  printf '[services] ERROR: %s\n' "$*" >&2
  exit 1
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null || die "$* missing and this is not a Debian-like machine: install it by hand"
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# wait_until SECONDS WHAT COMMAND...
wait_until() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || die "$what not ready after ${seconds}s"
    sleep 0.2
  done
}

# ---------------------------------------------------------------- PostgreSQL
pg_ready() { pg_isready -h "$PG_HOST" -p "$PG_PORT" -q; }
pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

if ! command -v pg_isready >/dev/null || [ -z "$(pg_version)" ]; then
  log "PostgreSQL is not installed: installing Debian's postgresql"
  apt_install postgresql
  version=$(pg_version)
  [ -n "$version" ] || die "postgresql installed but no cluster in /etc/postgresql"
  # Like the project's machines: local TCP connections trusted, so tests connect as postgres without a password.
  hba=/etc/postgresql/$version/main/pg_hba.conf
  as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
fi

if pg_ready; then
  log "PostgreSQL is up on $PG_HOST:$PG_PORT"
else
  log "starting PostgreSQL $(pg_version)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(pg_version)" main start || true
  wait_until 30 "PostgreSQL on $PG_HOST:$PG_PORT" pg_ready
  log "PostgreSQL is up on $PG_HOST:$PG_PORT"
fi

# ---------------------------------------------------------------- NATS
# A NATS server greets every connection with `INFO {json}`; bash's /dev/tcp reads it, no client needed.
nats_info() {
  local line=''
  exec 3<>"/dev/tcp/$NATS_HOST/$NATS_PORT" || return 1
  IFS= read -r -t 3 line <&3 || true
  exec 3<&- 3>&-
  [[ $line == INFO* ]] || return 1
  printf '%s' "$line"
}
nats_up() { nats_info >/dev/null 2>&1; }

if [ ! -x "$NATS_BIN" ] && ! command -v nats-server >/dev/null; then
  log "nats-server is not installed: installing Debian's nats-server"
  apt_install nats-server
fi
[ -x "$NATS_BIN" ] || NATS_BIN=$(command -v nats-server)

if nats_up; then
  log "NATS is up on $NATS_HOST:$NATS_PORT"
else
  log "starting nats-server with JetStream"
  as_root mkdir -p "$NATS_STORE"
  as_root start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$NATS_PIDFILE" \
    --exec "$NATS_BIN" -- \
    -a "$NATS_HOST" -p "$NATS_PORT" -js -sd "$NATS_STORE" -l "$NATS_LOG"
  wait_until 15 "NATS on $NATS_HOST:$NATS_PORT (log: $NATS_LOG)" nats_up
  log "NATS is up on $NATS_HOST:$NATS_PORT"
fi

info=$(nats_info 2>/dev/null) || die "NATS on $NATS_HOST:$NATS_PORT stopped answering"
[[ $info == *'"jetstream":true'* ]] ||
  die "NATS on $NATS_HOST:$NATS_PORT runs without JetStream: restart it with -js (see $NATS_LOG)"
log "NATS JetStream is enabled"
