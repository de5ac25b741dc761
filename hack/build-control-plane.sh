#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from the Go module proxy into a versioned cache directory.
#
# k8s.io/kubernetes is not meant to be required as a module: its go.mod points every k8s.io/<staging> module at
# ./staging/src/..., which does not exist in the published module. A throw-away wrapper module requires it and
# replaces each staging module by its published v0.X.Y twin. The list is read from the module's own go.mod, so a
# version bump needs no hand-edited list. etcd comes from the same module graph (k8s pins the server it tests with).
#
# Usage: hack/build-control-plane.sh <output-dir>     (KUBE_VERSION overrides the pinned release)
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
out="${1:?usage: build-control-plane.sh <output-dir>}"
staging_version="v0.${KUBE_VERSION#v1.}"

if [[ -x "$out/kube-apiserver" && -x "$out/etcd" && -x "$out/kubectl" ]]; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "Building kube-apiserver, kubectl and etcd ${KUBE_VERSION} (first run only; several minutes)..." >&2
go mod init ddbr.local/control-plane-build >/dev/null 2>&1
kube_mod="$(go mod download -json "k8s.io/kubernetes@${KUBE_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
[[ -f "$kube_mod" ]] || { echo "could not download k8s.io/kubernetes@${KUBE_VERSION}" >&2; exit 1; }

# Every `k8s.io/x => ./staging/src/k8s.io/x` in the upstream go.mod becomes `k8s.io/x => k8s.io/x v0.N.P` here.
staging_modules="$(go mod edit -json "$kube_mod" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if r["New"]["Path"].startswith("./staging/"):
        print(r["Old"]["Path"])
')"
[[ -n "$staging_modules" ]] || { echo "no staging replaces found in $kube_mod" >&2; exit 1; }
for m in $staging_modules; do
  go mod edit -replace "${m}=${m}@${staging_version}"
done

cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
go mod edit -require "k8s.io/kubernetes@${KUBE_VERSION}"
# etcd at the exact version Kubernetes itself requires.
etcd_version="$(go mod edit -json "$kube_mod" | python3 -c '
import json, sys
print(next(r["Version"] for r in json.load(sys.stdin)["Require"] if r["Path"] == "go.etcd.io/etcd/server/v3"))
')"
go mod edit -require "go.etcd.io/etcd/server/v3@${etcd_version}"
go mod tidy -e >/dev/null 2>&1 || true
go mod tidy

pkg=k8s.io/component-base/version
ldflags="-s -w -X ${pkg}.gitVersion=${KUBE_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=$(cut -d. -f2 <<<"$KUBE_VERSION") -X ${pkg}.gitTreeState=clean"
mkdir -p "$work/bin"
CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$work/bin/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/bin/etcd" go.etcd.io/etcd/server/v3

mkdir -p "$out"
# Move into place last, so an interrupted build never leaves a half-filled cache that looks complete.
mv "$work/bin/etcd" "$work/bin/kubectl" "$out/"
mv "$work/bin/kube-apiserver" "$out/"
echo "Built into $out (etcd ${etcd_version})" >&2
