#!/usr/bin/env bash
# Installs Debian's PostgreSQL, starts it and creates the role and database the
# PostgreSQL tests use. Idempotent and quick on a second run; must run as root.
#
#   source scripts/ci-postgres.sh   # exports TEST_DATABASE_URL into this shell
#   bash scripts/ci-postgres.sh     # prints the export line to copy
#
# Every test run creates and drops its own schema in this database, so
# concurrent runs do not collide.
set -euo pipefail

PG_ROLE="${PG_ROLE:-ssl_move}"
PG_PASSWORD="${PG_PASSWORD:-ssl_move_test}"
PG_DB="${PG_DB:-ssl_move_test}"

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
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
  pg_ctlcluster "$PG_VERSION" main start
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

export TEST_DATABASE_URL="postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
echo "PostgreSQL $PG_VERSION ready on port $PG_PORT"
echo "export TEST_DATABASE_URL=$TEST_DATABASE_URL"
