#!/bin/sh
# Prepares docker-compose: the secrets in .env and the TLS certificates of NATS and Redis.
# Keeps what exists and adds only what is missing, so it may run again at any time.
#
#   sh deploy/compose-setup.sh && docker compose --profile demo up --build
#
#   ENV_FILE  where the secrets go (default: .env at the repository root)
#   TLS_DIR   where the certificates go (default: var/deploy/tls); bring your own by
#             putting ca.pem, and cert.pem and key.pem in nats/ and redis/, there first
# Needs openssl. The compose CA's key stays in $TLS_DIR/../ca-key.pem, outside the mounts.
set -eu
cd "$(dirname "$0")/.."
env_file=${ENV_FILE:-.env}
tls=${TLS_DIR:-var/deploy/tls}
command -v openssl >/dev/null 2>&1 || {
  echo "openssl is needed to make secrets and certificates" >&2
  exit 1
}
umask 077

touch "$env_file"
chmod 600 "$env_file"
add() { # NAME VALUE: append unless the file sets NAME already
  grep -q "^$1=" "$env_file" || printf '%s=%s\n' "$1" "$2" >>"$env_file"
}
add PSEUDONYM_KEY "$(openssl rand -hex 32)"
add ENGAGE_TOKEN_KEY "$(openssl rand -base64 32 | tr '+/' '-_')"
add POSTGRES_PASSWORD "$(openssl rand -hex 24)"
for user in INGEST SCORING NOTIFY API; do
  add "NATS_${user}_PASSWORD" "$(openssl rand -hex 24)"
done
for user in SCORING API; do
  add "REDIS_${user}_PASSWORD" "$(openssl rand -hex 24)"
done

mkdir -p "$tls/nats" "$tls/redis"
chmod 755 "$tls" "$tls/nats" "$tls/redis"
ca_key="$tls/../ca-key.pem"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ ! -f "$tls/ca.pem" ]; then
  cat >"$work/ca.cnf" <<'CNF'
[req]
distinguished_name = dn
x509_extensions = ca
prompt = no
[dn]
CN = Uptake docker-compose CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
  openssl req -x509 -new -nodes -newkey rsa:3072 -sha256 -days 825 -config "$work/ca.cnf" \
    -keyout "$ca_key" -out "$tls/ca.pem" 2>/dev/null
  chmod 644 "$tls/ca.pem"
fi
for host in nats redis; do
  [ -f "$tls/$host/cert.pem" ] && continue
  cat >"$work/$host.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = $host
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:$host, DNS:localhost, IP:127.0.0.1
CNF
  openssl req -new -nodes -newkey rsa:2048 -config "$work/$host.cnf" \
    -keyout "$tls/$host/key.pem" -out "$work/$host.csr" 2>/dev/null
  openssl x509 -req -in "$work/$host.csr" -CA "$tls/ca.pem" -CAkey "$ca_key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 \
    -extfile "$work/$host.cnf" -extensions server -out "$tls/$host/cert.pem" 2>/dev/null
  cp "$tls/ca.pem" "$tls/$host/ca.pem"
  chmod 644 "$tls/$host/cert.pem" "$tls/$host/ca.pem"
done
echo "secrets in $env_file, certificates in $tls: docker compose up"
