#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster on loopback (creating it if the package made none), make the tests' role, and
# write its admin URL to .ci/postgres-url (git-ignored). Idempotent: a running cluster and an existing role are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main"' | grep -q . || pg_createcluster "$ver" main >/dev/null
status=$(pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main" {print $4}')
[ "$status" = online ] || pg_ctlcluster "$ver" main start
port=$(pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main" {print $3}')
runuser -u postgres -- psql -p "$port" -qAt -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'frw_test') THEN CREATE ROLE frw_test LOGIN CREATEDB PASSWORD 'frw_test'; END IF; END \$\$;"
echo "postgres://frw_test:frw_test@127.0.0.1:${port}/postgres" > .ci/postgres-url
echo "PostgreSQL $ver on 127.0.0.1:$port (role frw_test)"
