#!/usr/bin/env bash
# Builds the project's image from its Dockerfile, unedited, with buildah on the cached base image, and writes it as
# a docker-archive named as the chart names it: build-image.sh <archive> <image>
# npm ci inside the build reaches the registry through whatever TLS-inspecting proxy the host uses: the host's CA
# bundle is mounted into the RUN steps (with a global npmrc naming it), never copied into a layer.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
archive="${1:?usage: build-image.sh <archive> <image>}"
image="${2:?usage: build-image.sh <archive> <image>}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"

# Working containers (and their overlay mounts) a killed build left behind.
buildah_ rm --all >/dev/null
buildah_ inspect --type image "$BASE_IMAGE" >/dev/null 2>&1 || buildah_ pull "docker-archive:$BASE_ARCHIVE" >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ca=/etc/ssl/certs/ca-certificates.crt
printf 'cafile=%s\n' "$ca" > "$work/npmrc"
buildah_ bud --quiet --isolation chroot --network host --pull-never --layers \
  --volume "$ca:$ca:ro" --volume "$work/npmrc:/usr/local/etc/npmrc:ro" \
  --tag "$image" --file "$repo/Dockerfile" "$repo" >/dev/null
mkdir -p "$(dirname "$archive")"
rm -f "$archive"
buildah_ push --quiet "$image" "docker-archive:$archive:$image"
echo "Built $image into $archive" >&2
