#!/usr/bin/env bash
# Provisions everything a one-node cluster needs, each part cached under the tools dir keyed by its version:
# kubelet, kube-controller-manager, kube-scheduler, kube-proxy (the control plane's wrapper module), containerd
# (Go module proxy), the pause and base images, Argo CD's application controller and repo server (hack/argocd/build.sh);
# runc, the CNI plugins, buildah, mmdebstrap and iptables/nftables come from Debian, and so do the Redis server, git
# and jq the cluster suite runs Argo CD with.
set -euo pipefail
here="$(dirname "$0")"
source "$here/lib.sh"

packages=(buildah mmdebstrap runc containernetworking-plugins iptables nftables conntrack redis-server git jq)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if ((${#missing[@]} > 0)); then
  echo "Installing Debian packages: ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

KUBE_VERSION="$KUBE_VERSION" "$here/../build-control-plane.sh" "$KUBE_DIR" kubelet kube-controller-manager kube-scheduler kube-proxy kubectl

if [[ ! -x "$CONTAINERD_DIR/containerd" ]]; then
  echo "Building containerd $CONTAINERD_VERSION (first run only)..." >&2
  # No replace directives in its go.mod, so go install builds it straight from the module proxy.
  GOBIN="$CONTAINERD_DIR.tmp" CGO_ENABLED=0 go install -trimpath -ldflags '-s -w' \
    "github.com/containerd/containerd/v2/cmd/"{containerd,containerd-shim-runc-v2,ctr}"@$CONTAINERD_VERSION"
  rm -rf "$CONTAINERD_DIR" && mv "$CONTAINERD_DIR.tmp" "$CONTAINERD_DIR"
fi

ARGOCD_VERSION="$ARGOCD_VERSION" "$here/../argocd/build.sh" "$ARGOCD_DIR"

"$here/build-pause-image.sh"
"$here/build-base-image.sh"
