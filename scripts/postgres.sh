#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL 15 on a loopback port, as the postgres system user (it refuses root).
# Two roles, as in a deployment (README, "PostgreSQL 的两个角色"): ybt_owner owns the database and runs the
# migrations; app is a plain login role (no superuser, owns nothing) that the server connects as.
#   scripts/postgres.sh start DIR PORT       → prints the app's DATABASE_URL (one line)
#   scripts/postgres.sh owner-url DIR PORT   → prints the owner's DATABASE_OWNER_URL (one line)
#   scripts/postgres.sh replica DIR PORT PRIMARY_PORT
#                                            → a streaming replica of the cluster on PRIMARY_PORT (pg_basebackup -R),
#                                              prints its DATABASE_REPLICA_URL (same roles and database, read-only)
#   scripts/postgres.sh stop DIR
set -euo pipefail
cmd=${1:?start|owner-url|replica|stop}; dir=${2:?directory}; port=${3:-55432}
app_url="postgres://app@127.0.0.1:$port/yibiaotong"
owner_url="postgres://ybt_owner@127.0.0.1:$port/yibiaotong"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/pg_ctl" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# The bootstrap superuser "postgres" only sets the roles up; neither the app nor the tests use it.
psql_admin() { as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }
case "$cmd" in
  start)
    mkdir -p "$dir/sock"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=1GB" start >/dev/null
    fi
    # A cluster from before the two roles had "app" as its superuser, which cannot be taken back.
    psql_admin -d postgres -c 'SELECT 1' >/dev/null 2>&1 \
      || { echo "$dir was made before the owner and app roles (app is its superuser): stop it and delete $dir" >&2; exit 1; }
    psql_admin -d postgres >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ybt_owner') THEN CREATE ROLE ybt_owner LOGIN CREATEDB; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app') THEN CREATE ROLE app LOGIN; END IF;
END $$;
SELECT 'CREATE DATABASE yibiaotong OWNER ybt_owner' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'yibiaotong') \gexec
SQL
    echo "$app_url"
    ;;
  owner-url)
    echo "$owner_url"
    ;;
  replica)
    primary=${4:?primary port}
    mkdir -p "$dir/sock"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      # Pausing replay is the replica tests' way to hold the replica back; the owner may do it (granted on the
      # primary, so the grant is in the copy). initdb's pg_hba already lets local replication connections in.
      as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$primary" -U postgres -d yibiaotong \
        -c 'GRANT EXECUTE ON FUNCTION pg_wal_replay_pause(), pg_wal_replay_resume() TO ybt_owner' >/dev/null
      as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$dir/data" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 \
        || { cat "$dir/basebackup.log" >&2; exit 1; }
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      # hot_standby_feedback: long exports on the replica are not cancelled by the primary's vacuum.
      as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c hot_standby=on -c hot_standby_feedback=on -c fsync=off -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
    fi
    echo "postgres://app@127.0.0.1:$port/yibiaotong"
    ;;
  stop)
    [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
  *) echo "usage: $0 start|owner-url|replica|stop DIR [PORT [PRIMARY_PORT]]" >&2; exit 2 ;;
esac
