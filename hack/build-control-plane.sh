#!/usr/bin/env bash
# Builds Kubernetes components and etcd from the Go module proxy into a versioned cache directory: by default
# kube-apiserver, kubectl and etcd (the test bed's control plane); hack/node/provision.sh asks for the node's
# kubelet, kube-controller-manager, kube-scheduler and kube-proxy from the same wrapper module.
#
# k8s.io/kubernetes is not meant to be required as a module: its go.mod points every k8s.io/<staging> module at
# ./staging/src/..., which does not exist in the published module. A throw-away wrapper module requires it and
# replaces each staging module by its published v0.X.Y twin. The list is read from the module's own go.mod, so a
# version bump needs no hand-edited list. etcd comes from the same module graph (k8s pins the server it tests with).
#
# Usage: hack/build-control-plane.sh <output-dir> [binary ...]     (KUBE_VERSION overrides the pinned release)
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
out="${1:?usage: build-control-plane.sh <output-dir> [binary ...]}"
shift
binaries=("$@")
((${#binaries[@]} > 0)) || binaries=(kube-apiserver kubectl etcd)
staging_version="v0.${KUBE_VERSION#v1.}"

missing=()
for b in "${binaries[@]}"; do [[ -x "$out/$b" ]] || missing+=("$b"); done
((${#missing[@]} > 0)) || exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "Building ${missing[*]} ${KUBE_VERSION} (first run only; several minutes)..." >&2
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

# One module graph for every component, whichever are built, so each binary is the same bytes either way.
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
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
kube_packages=()
for b in "${missing[@]}"; do
  if [[ $b == etcd ]]; then
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/bin/etcd" go.etcd.io/etcd/server/v3
  else
    kube_packages+=("k8s.io/kubernetes/cmd/$b")
  fi
done
((${#kube_packages[@]} == 0)) || CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$work/bin/" "${kube_packages[@]}"

mkdir -p "$out"
# Move into place last, so an interrupted build never leaves a half-filled cache that looks complete.
for b in "${missing[@]}"; do mv "$work/bin/$b" "$out/"; done
echo "Built ${missing[*]} into $out (etcd ${etcd_version})" >&2
