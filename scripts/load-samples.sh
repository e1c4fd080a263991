#!/usr/bin/env bash
# Load the Chinook sample into the local PostgreSQL (db `chinook`) and MariaDB (db
# `Chinook`) for the integration tests, plus a read-only login on each. Reads the
# shared samples beside the project; never copies them into the repository.
# Idempotent: a complete load is detected and skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

samples="${SQLAGENT_SAMPLES:-../shared/data/sample_dbs}"
log() { printf '\033[1;34m[samples]\033[0m %s\n' "$*"; }

if [ ! -d "$samples/chinook" ]; then
  log "no sample databases at $samples: tests that need Chinook will skip"
  exit 0
fi

psql_() { psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
mysql_() { mysql -h 127.0.0.1 -P 3306 -u root "$@"; }

pg_tracks=$(psql_ -d chinook -c "SELECT count(*) FROM track" 2>/dev/null || echo 0)
if [ "$pg_tracks" != "3503" ]; then
  log "loading Chinook into PostgreSQL"
  psql_ -d postgres -f "$samples/chinook/Chinook_PostgreSql.sql" >/dev/null
  psql_ -d chinook -c "ANALYZE"
fi
psql_ -d postgres <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sqlagent_ro') THEN
    CREATE ROLE sqlagent_ro LOGIN PASSWORD 'ro_pass_123';
  END IF;
END $$;
SQL
psql_ -d chinook -c "GRANT USAGE ON SCHEMA public TO sqlagent_ro; GRANT SELECT ON ALL TABLES IN SCHEMA public TO sqlagent_ro;"

my_tracks=$(mysql_ -N -e "SELECT count(*) FROM Chinook.Track" 2>/dev/null || echo 0)
if [ "$my_tracks" != "3503" ]; then
  log "loading Chinook into MariaDB"
  mysql_ < "$samples/chinook/Chinook_MySql.sql"
  mysql_ -e "ANALYZE TABLE Chinook.Track, Chinook.Album" >/dev/null
fi
mysql_ -e "CREATE USER IF NOT EXISTS 'sqlagent_ro'@'%' IDENTIFIED BY 'ro_pass_123'; \
           GRANT SELECT ON Chinook.* TO 'sqlagent_ro'@'%'; \
           CREATE USER IF NOT EXISTS 'sqlagent_rw'@'%' IDENTIFIED BY 'rw_pass_123'; \
           GRANT SELECT, INSERT, UPDATE, DELETE ON Chinook.* TO 'sqlagent_rw'@'%'; FLUSH PRIVILEGES;"
log "Chinook ready in PostgreSQL and MariaDB"
