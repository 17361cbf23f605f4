# Sourced by the lab's measurement scripts (exchange-precision.sh, overlap.sh), not run: a cluster on the network lab.
# `lab_cluster_up WORKERS RATE [WORKER-NODE-ARGS...]` builds a lab of WORKERS + 1 nodes under $NETLAB_NAME, each link
# shaped to RATE, starts a coordinator on node1 (job API on http://node1:5000, token dev-token) and a worker node on each
# other node, and returns once all of them are registered (at most 2 minutes). It sets `lab` (netlab.sh), `ct` (the
# Release build, or $CLUSTERTRAINER), `runs` (the coordinator's runs directory and the nodes' logs) and `api` (the job
# client's flags), and removes the lab and that directory when the script exits, also when a step fails.
lab_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lab="$lab_here/netlab.sh"
ct="${CLUSTERTRAINER:-$lab_here/../../src/ClusterTrainer.Cli/bin/Release/net10.0/clustertrainer}"
api=(--server http://node1:5000 --token dev-token)

lab_cluster_up() {
  local workers="$1" rate="$2" node
  shift 2
  runs="$(mktemp -d)"
  trap '"$lab" down >/dev/null 2>&1 || true; rm -rf "$runs"' EXIT
  "$lab" down >/dev/null 2>&1 || true
  "$lab" up $((workers + 1)) "$rate"
  CLUSTERTRAINER_TOKEN=dev-token "$lab" exec 1 "$ct" node --role coordinator --host node1 --runs "$runs" >"$runs/coordinator.log" 2>&1 &
  for node in $(seq 2 $((workers + 1))); do
    "$lab" exec "$node" "$ct" node --role worker --host "node$node" --seed-nodes akka.tcp://clustertrainer@node1:4053 "$@" \
      >"$runs/worker$node.log" 2>&1 &
  done

  for _ in $(seq 1 60); do
    if "$lab" exec 1 "$ct" status "${api[@]}" 2>/dev/null | grep -q "0 busy, $workers idle"; then return 0; fi
    sleep 2
  done
  echo "the $workers worker nodes did not register within 2 minutes (logs: $runs)" >&2
  exit 1
}
