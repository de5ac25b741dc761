#!/usr/bin/env bash
# Builds Argo CD's multicall binary from the Go module proxy into a versioned cache directory, with the two
# component names the cluster suite runs (argocd-application-controller, argocd-repo-server) as symlinks beside it
# (the binary picks the component by the name it is started as), the release's CRDs (manifests/crds/ of the same
# module) that an install applies, and the two scripts Argo CD's image puts beside its binary for the repo server to
# run (hack/git-verify-wrapper.sh, which v3.6 runs on every commit it renders, and hack/gpg-wrapper.sh).
#
# Like k8s.io/kubernetes, github.com/argoproj/argo-cd/v3 is not built with `go install pkg@version`: its go.mod has
# replace directives, which go install refuses. A throw-away wrapper module requires it and copies every replace
# that names a published version, read from argo-cd's own go.mod (`go mod edit -json`), so a version bump needs no
# hand-edited list. The one replace that names a directory (./gitops-engine, a module of its own in the same
# repository) is left out: the require line's gitops-engine/v3 at the same version comes from the proxy instead.
# argo-cd v3.6 needs Go 1.27; GOTOOLCHAIN=auto fetches that toolchain from the module proxy when the local Go is older.
#
# Usage: hack/argocd/build.sh <output-dir>     (ARGOCD_VERSION overrides the pinned release)
set -euo pipefail

ARGOCD_VERSION="${ARGOCD_VERSION:-v3.6.1}"
out="${1:?usage: build.sh <output-dir>}"
out="${out%/}"
components=(argocd-application-controller argocd-repo-server)

[[ -x "$out/argocd" && -d "$out/crds" && -x "$out/git-verify-wrapper.sh" ]] && exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export GOTOOLCHAIN=auto

echo "Building Argo CD ${ARGOCD_VERSION} (first run only; several minutes)..." >&2
go mod init ddbr.local/argocd-build >/dev/null 2>&1
module=github.com/argoproj/argo-cd/v3
download="$(go mod download -json "${module}@${ARGOCD_VERSION}")"
argocd_mod="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' <<<"$download")"
argocd_src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$download")"
[[ -f "$argocd_mod" && -d "$argocd_src" ]] || { echo "could not download ${module}@${ARGOCD_VERSION}" >&2; exit 1; }

replaces="$(go mod edit -json "$argocd_mod" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    if r["New"].get("Version"):
        old = r["Old"]["Path"] + ("@" + r["Old"]["Version"] if r["Old"].get("Version") else "")
        print(old + "=" + r["New"]["Path"] + "@" + r["New"]["Version"])
')"
[[ -n "$replaces" ]] || { echo "no versioned replaces found in $argocd_mod" >&2; exit 1; }
for r in $replaces; do go mod edit -replace "$r"; done

# go get raises the wrapper's go line to argo-cd's (switching toolchain) and records the build's sums.
go get "${module}/cmd@${ARGOCD_VERSION}"
mkdir -p "$work/bin"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X ${module}/common.version=${ARGOCD_VERSION#v}" -o "$work/bin/argocd" "${module}/cmd"
for c in "${components[@]}"; do ln -s argocd "$work/bin/$c"; done
mkdir "$work/bin/crds" && cp "$argocd_src"/manifests/crds/*-crd.yaml "$work/bin/crds/"
install -m 0755 "$argocd_src"/hack/{git-verify-wrapper,gpg-wrapper}.sh "$work/bin/"

# Moved into place last, so an interrupted build never leaves a half-filled cache that looks complete.
rm -rf "$out" && mkdir -p "$(dirname "$out")" && mv "$work/bin" "$out"
echo "Built Argo CD ${ARGOCD_VERSION} into $out" >&2
