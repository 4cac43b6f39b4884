#!/usr/bin/env bash
# `node` for npm scripts: the Node.js this project pins (.nvmrc) when the system's is older.
. "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"
exec node "$@"
