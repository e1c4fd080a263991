#!/usr/bin/env bash
# Make sure PostgreSQL, MariaDB and Redis are up on their standard local ports,
# starting any that stopped (the commands this kind of machine uses), and wait.
set -euo pipefail

log() { printf '\033[1;34m[services]\033[0m %s\n' "$*"; }
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do up "$1" && return 0; sleep 0.5; done
  echo "service on port $1 did not come up" >&2
  return 1
}

if ! up 5432; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
fi
if ! up 3306; then
  log "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
if ! up 6379; then
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for port in 5432 3306 6379; do wait_port "$port"; done
log "PostgreSQL, MariaDB and Redis are up"
