# Shared by the hack/node scripts: the pinned versions and where their outputs are cached (the Makefile's tools
# dir, keyed by version), and buildah on storage of its own under that dir, so nothing lands in /var/lib/containers.
# overlay storage (the kernel's): a cold image build takes about 2 minutes here, against 9.5 with vfs, which copies
# every layer whole.
KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
CONTAINERD_VERSION="${CONTAINERD_VERSION:-v2.4.2}"
ARGOCD_VERSION="${ARGOCD_VERSION:-v3.6.1}"
NODE_VERSION="${NODE_VERSION:-24.21.0}"
DEBIAN_SUITE=bookworm
TOOLS_DIR="${TOOLS_DIR:-${DDBR_TOOLS_DIR:-$HOME/.cache/dynamodb-restore-operator}}"

KUBE_DIR="$TOOLS_DIR/kube-$KUBE_VERSION"
CONTAINERD_DIR="$TOOLS_DIR/containerd-$CONTAINERD_VERSION"
ARGOCD_DIR="$TOOLS_DIR/argocd-$ARGOCD_VERSION"
IMAGES_DIR="$TOOLS_DIR/images"
# The base image the Dockerfile names, and the pause image (a name of our own, so it never claims an upstream one).
BASE_IMAGE="docker.io/library/node:${NODE_VERSION}-${DEBIAN_SUITE}-slim"
BASE_ARCHIVE="$IMAGES_DIR/node-${NODE_VERSION}-${DEBIAN_SUITE}-slim.tar"
PAUSE_IMAGE="localhost/ddbr/pause:$KUBE_VERSION"
PAUSE_ARCHIVE="$IMAGES_DIR/pause-$KUBE_VERSION.tar"

buildah_() {
  buildah --root "$TOOLS_DIR/buildah/storage" --runroot "$TOOLS_DIR/buildah/run" --storage-driver overlay "$@"
}
