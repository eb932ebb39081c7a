#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster (if needed) and makes a role and database for the tests.
# Prints the DSN the tests use: postgresql://appeals:appeals@127.0.0.1:5432/appeals_test
set -euo pipefail
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
    pg_lsclusters -h | grep -q "^$ver main" || pg_createcluster "$ver" main >/dev/null
    pg_ctlcluster "$ver" main start
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='appeals'\"" | grep -q 1 \
    || su postgres -c "psql -qc \"CREATE ROLE appeals LOGIN CREATEDB PASSWORD 'appeals'\""
echo "PostgreSQL ready: postgresql://appeals:appeals@127.0.0.1:5432/"
