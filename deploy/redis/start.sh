#!/bin/sh
# Starts Redis with Uptake's ACL users (users.acl) and TLS files, for docker-compose and
# the tests. Passwords come from the environment (REDIS_SCORING_PASSWORD,
# REDIS_API_PASSWORD); only their SHA-256 reaches the ACL file, in a private run folder.
# The probe user (PING only) gets a random password at each start, kept in
# $REDIS_RUN_DIR/probe-password for the health check.
#
#   REDIS_CONF       configuration (default: redis.conf beside this script)
#   REDIS_ACL_RULES  users and their rights (default: users.acl beside this script)
#   REDIS_TLS_DIR    a folder with cert.pem, key.pem and ca.pem; copied to the run folder
#   REDIS_RUN_DIR    the run folder (default: /tmp/redis-run)
#   REDIS_SERVER     the server program (default: redis-server)
# Further arguments go to the server after the configuration (--port 6380 ...).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
conf=${REDIS_CONF:-$here/redis.conf}
rules=${REDIS_ACL_RULES:-$here/users.acl}
run=${REDIS_RUN_DIR:-/tmp/redis-run}
server=${REDIS_SERVER:-redis-server}

umask 077
mkdir -p "$run"
acl="$run/users.acl"
: >"$acl.new"
while read -r keyword name rule; do
  [ "$keyword" = user ] || continue
  case " $rule " in
  *" off "*)
    echo "user $name $rule" >>"$acl.new"
    continue
    ;;
  esac
  variable="REDIS_$(printf '%s' "$name" | tr 'a-z-' 'A-Z_')_PASSWORD"
  eval "password=\${$variable:-}"
  if [ -z "$password" ] && [ "$name" = probe ]; then
    password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s' "$password" >"$run/probe-password"
  fi
  if [ -z "$password" ]; then
    echo "$variable is not set: the Redis user $name needs a password (openssl rand -hex 24)" >&2
    exit 1
  fi
  hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
  echo "user $name $rule #$hash" >>"$acl.new"
done <"$rules"
mv "$acl.new" "$acl"

set -- --aclfile "$acl" "$@"
if [ -n "${REDIS_TLS_DIR:-}" ]; then
  mkdir -p "$run/tls"
  cp "$REDIS_TLS_DIR/cert.pem" "$REDIS_TLS_DIR/key.pem" "$REDIS_TLS_DIR/ca.pem" "$run/tls/"
  set -- --tls-cert-file "$run/tls/cert.pem" --tls-key-file "$run/tls/key.pem" \
    --tls-ca-cert-file "$run/tls/ca.pem" "$@"
fi

# The official image's entrypoint drops from root to the user redis, who must read the run folder.
if [ "$(id -u)" = 0 ] && command -v docker-entrypoint.sh >/dev/null 2>&1; then
  chown -R redis "$run"
  exec docker-entrypoint.sh "$server" "$conf" "$@"
fi
exec "$server" "$conf" "$@"
