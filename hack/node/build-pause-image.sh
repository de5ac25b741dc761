#!/usr/bin/env bash
# The pod sandbox ("pause") image, built from the pause.c that ships in the k8s.io/kubernetes module at the pinned
# version (statically linked, as upstream builds it), into a docker-archive under the tools dir.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[[ -f "$PAUSE_ARCHIVE" ]] && exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
kube_src="$(cd "$work" && go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
gcc -Os -Wall -Werror -static -DVERSION="$KUBE_VERSION" -o "$work/pause" "$kube_src/build/pause/linux/pause.c"
strip "$work/pause"

ctr="$(buildah_ from scratch)"
buildah_ copy "$ctr" "$work/pause" /pause >/dev/null
buildah_ config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
buildah_ commit --quiet --rm "$ctr" "$PAUSE_IMAGE" >/dev/null
mkdir -p "$IMAGES_DIR"
buildah_ push --quiet "$PAUSE_IMAGE" "docker-archive:$work/pause.tar:$PAUSE_IMAGE" >/dev/null
mv "$work/pause.tar" "$PAUSE_ARCHIVE"
echo "Built $PAUSE_IMAGE into $PAUSE_ARCHIVE" >&2
