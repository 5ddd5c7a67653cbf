#!/usr/bin/env bash
# Prints a DATABASE_URL for a PostgreSQL server the tests can create databases on.
# Uses the server on 127.0.0.1:5432 when one answers; otherwise installs PostgreSQL from
# Debian's packages, starts the cluster and sets a password for the postgres role.
set -euo pipefail
url="${GRIDCARE_TEST_PG_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "$url"; exit 0
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
ver=$(ls /etc/postgresql | sort -V | tail -n1)
$SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start >&2 || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
$SUDO su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >&2
echo "$url"
