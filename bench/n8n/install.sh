#!/bin/sh
# Installs the n8n that `pnpm bench n8n` compares Nudge with, outside the repo, with npm:
#   bench/n8n/install.sh            → ~/.cache/nudge-bench/n8n   (N8N_DIR=/somewhere to choose)
# Not part of `pnpm install` or CI. Needs npm's registry only:
# - "overrides": n8n's xlsx dependency is a tarball on cdn.sheetjs.com; it is replaced by the
#   registry's xlsx 0.18.5 (only n8n's spreadsheet node uses it; the bench does not); and
#   isolated-vm (n8n's new "vm" expression engine) is held at 5.0.4: the 6.x n8n pins builds only
#   against Node 22+'s V8 and ships no binary for Node 20; the bench runs the legacy engine anyway.
# - native modules (sqlite3, …) fall back to a build from source when their prebuilt binary
#   (downloaded from GitHub) can't be fetched; when Node's headers are installed locally
#   (/usr/include/node) node-gyp uses them instead of downloading them from nodejs.org.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${N8N_DIR:-$HOME/.cache/nudge-bench/n8n}
mkdir -p "$dir"
cp "$here/package.json" "$dir/package.json"
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_version.h ] \
  && [ "$(node -p process.version)" = "v$(sed -n 's/^#define NODE_\(MAJOR\|MINOR\|PATCH\)_VERSION \([0-9]*\)$/\2/p' /usr/include/node/node_version.h | paste -sd.)" ]; then
  export npm_config_nodedir=/usr
fi
cd "$dir"
# ~2,000 packages: a flaky network resets some connections, so retry and keep fewer sockets
npm_config_fetch_retries=${npm_config_fetch_retries:-5} npm_config_maxsockets=${npm_config_maxsockets:-6} \
  npm install --no-audit --no-fund --omit=dev
node -e "require(require.resolve('sqlite3', { paths: [require.resolve('n8n/package.json')] }))" || { echo "sqlite3 did not build in $dir/node_modules/sqlite3: see npm's log above" >&2; exit 1; }
echo "n8n $(node -p "require('n8n/package.json').version") installed in $dir. Run: N8N_DIR=$dir pnpm bench n8n"
