#!/usr/bin/env bash
# What a one-node cluster changes on the host, saved before a run and put back after it:
#   host-state.sh save      record sysctls, iptables/nftables rules and which shared directories exist
#   host-state.sh restore   stop what is left of a node (also of a run killed with SIGKILL), unmount, remove its
#                           cgroups, interfaces, network namespaces, files and rules, and restore the recorded values
# `save` restores first when an earlier run left its record behind, so the record always holds the host as it was
# before any node ran. The record lives in $NODE_STATE/saved.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NODE_STATE="${NODE_STATE:-/var/lib/ddbr-node}"
record="$NODE_STATE/saved"
# Set by the kubelet (vm.*, kernel.*; KubeletConfiguration protectKernelDefaults: false), the bridge plugin
# (ip_forward) and kube-proxy (route_localnet, only with localhostNodePorts, which the node turns off).
SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.ipv4.ip_forward net.ipv4.conf.all.route_localnet)
# Directories the kubelet, CNI and containerd use whatever they are configured with (/run/containerd: shim sockets).
SHARED_DIRS=(/var/lib/cni /var/log/pods /var/log/containers /run/netns /var/lib/kubelet /run/containerd)
# The interfaces the node adds (names fixed in test/cluster/support/node.ts).
LINKS=(ddbr-br0 ddbr0)
# The node's own binaries: processes of them are leftovers of this bed (the control plane's apiserver and etcd are
# left to the runs/ directory, since every test bed on the machine runs those).
node_binaries() {
  printf '%s\n' "$KUBE_DIR"/{kubelet,kube-proxy,kube-controller-manager,kube-scheduler} "$CONTAINERD_DIR"/{containerd,containerd-shim-runc-v2}
}

save() {
  [[ -d "$record" ]] && restore
  mkdir -p "$record.tmp"
  for key in "${SYSCTLS[@]}"; do
    value="$(sysctl -n "$key" 2>/dev/null)" && printf '%s=%s\n' "$key" "$value"
  done > "$record.tmp/sysctls"
  iptables-save > "$record.tmp/iptables"
  ip6tables-save > "$record.tmp/ip6tables"
  nft list tables > "$record.tmp/nft-tables"
  for d in "${SHARED_DIRS[@]}"; do [[ -e $d ]] && echo "$d"; done > "$record.tmp/existing-dirs" || true
  mv "$record.tmp" "$record"
}

kill_leftovers() {
  local binaries pid exe
  binaries="$(node_binaries)"
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || continue
    grep -qxF "$exe" <<<"$binaries" && kill -KILL "$pid" 2>/dev/null || true
  done
  # The containers themselves: every process in the kubelet's pod cgroups.
  for _ in $(seq 50); do
    local procs
    procs="$(find /sys/fs/cgroup/*/kubepods -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u || true)"
    [[ -z $procs ]] && return 0
    kill -KILL $procs 2>/dev/null || true
    sleep 0.1
  done
  echo "host-state: processes still in kubepods cgroups: $procs" >&2
}

unmount_under() {
  # Deepest first; lazily if busy.
  awk -v p="$1" '$2 == p || index($2, p "/") == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
}

restore() {
  [[ -d "$record" ]] || return 0
  kill_leftovers
  unmount_under "$NODE_STATE"
  unmount_under /var/lib/kubelet
  for ns in /run/netns/cni-*; do [[ -e $ns ]] && { umount "$ns" 2>/dev/null || true; rm -f "$ns"; }; done
  find /sys/fs/cgroup/*/kubepods -depth -type d -exec rmdir {} + 2>/dev/null || true
  for link in "${LINKS[@]}"; do ip link delete "$link" 2>/dev/null || true; done

  iptables-restore < "$record/iptables"
  ip6tables-restore < "$record/ip6tables"
  # Tables that did not exist before the run (iptables-restore only rewrites the tables it is given).
  nft list tables | while read -r _ family table; do
    grep -qxF "table $family $table" "$record/nft-tables" || nft delete table "$family" "$table"
  done
  while IFS='=' read -r key value; do sysctl -qw "$key=$value"; done < "$record/sysctls"

  for d in "${SHARED_DIRS[@]}"; do
    grep -qxF "$d" "$record/existing-dirs" || rm -rf "$d"
  done
  # Everything of the node's own but the record, which goes last: a restore cut short runs again next time.
  find "$NODE_STATE" -mindepth 1 -maxdepth 1 ! -name saved -exec rm -rf {} +
  rm -rf "$record"
  rmdir "$NODE_STATE"
}

case "${1:-}" in
  save) save ;;
  restore) restore ;;
  *) echo "usage: $0 save|restore" >&2; exit 2 ;;
esac
