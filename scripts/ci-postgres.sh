#!/usr/bin/env bash
# Installs Debian's PostgreSQL, starts it and creates the role and database the
# PostgreSQL tests use. Idempotent and quick on a second run; must run as root.
#
#   source scripts/ci-postgres.sh   # exports TEST_DATABASE_URL into this shell
#   bash scripts/ci-postgres.sh     # prints the export line to copy
#
# Every test run creates and drops its own schema in this database, so
# concurrent runs do not collide. The work runs in a subshell with strict
# options, so sourcing leaves the caller's shell options as they were (an
# interactive shell with errexit on would close at the next failing command).

_ssl_move_postgres() (
  set -euo pipefail
  PG_ROLE="${PG_ROLE:-ssl_move}"
  PG_PASSWORD="${PG_PASSWORD:-ssl_move_test}"
  PG_DB="${PG_DB:-ssl_move_test}"

  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # Only the server and its client: the recommended extras are not needed.
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi

  PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  # Some images disable the cluster Debian normally creates at install time.
  if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$PG_VERSION main"; then
    pg_createcluster "$PG_VERSION" main >/dev/null
  fi
  # Containers forbid services from starting at install (policy-rc.d), so start it here.
  if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    pg_ctlcluster "$PG_VERSION" main start >&2
  fi
  PG_PORT="$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $3}')"

  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 0.5
  done

  as_postgres() { runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }
  as_postgres -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
      CREATE ROLE $PG_ROLE LOGIN PASSWORD '$PG_PASSWORD';
    END IF;
  END \$\$;" >/dev/null
  if [ "$(as_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
    as_postgres -c "CREATE DATABASE $PG_DB OWNER $PG_ROLE" >/dev/null
  fi

  echo "PostgreSQL $PG_VERSION ready on port $PG_PORT" >&2
  # The only line on stdout: the URL.
  echo "postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
)

# Not inside `if` or `||` (bash would ignore errexit in the subshell too), and
# with the caller's errexit off for the call, so a failure still gets its
# message below before a strict caller (.ci/run) stops.
case $- in *e*) _ssl_move_errexit=1; set +e ;; *) _ssl_move_errexit=0 ;; esac
_ssl_move_url="$(_ssl_move_postgres)"
_ssl_move_rc=$?
[ "$_ssl_move_errexit" = 1 ] && set -e
unset -f _ssl_move_postgres
unset _ssl_move_errexit
if [ "$_ssl_move_rc" -eq 0 ]; then
  export TEST_DATABASE_URL="$_ssl_move_url"
  echo "export TEST_DATABASE_URL=$TEST_DATABASE_URL"
  unset _ssl_move_url _ssl_move_rc
else
  echo "scripts/ci-postgres.sh: PostgreSQL could not be set up (see above)" >&2
  unset _ssl_move_url _ssl_move_rc
  # `return` when sourced; `exit` when run with bash.
  return 1 2>/dev/null || exit 1
fi
