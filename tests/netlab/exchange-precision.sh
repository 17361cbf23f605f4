#!/usr/bin/env bash
# Float32 against bf16 gradients on the wire (--exchange-precision), on the network lab: a coordinator and two worker
# nodes, each link shaped to RATE, the same CNN job submitted once with each precision; prints both samples/s and their
# ratio. As root, with the Release build:
#
#   tests/netlab/exchange-precision.sh [RATE] [EPOCHS]      (default 100mbit, 1)
#
# The lab is removed at the end, also when a step fails. Uses netlab.sh under its own lab name.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lab="$here/netlab.sh"
ct="${CLUSTERTRAINER:-$here/../../src/ClusterTrainer.Cli/bin/Release/net10.0/clustertrainer}"
rate="${1:-100mbit}"
epochs="${2:-1}"
export NETLAB_NAME=xp
runs="$(mktemp -d)"
trap '"$lab" down >/dev/null 2>&1 || true; rm -rf "$runs"' EXIT

"$lab" down >/dev/null 2>&1 || true
"$lab" up 3 "$rate"
CLUSTERTRAINER_TOKEN=dev-token "$lab" exec 1 "$ct" node --role coordinator --host node1 --runs "$runs" >"$runs/coordinator.log" 2>&1 &
for node in 2 3; do
  "$lab" exec "$node" "$ct" node --role worker --host "node$node" --seed-nodes akka.tcp://clustertrainer@node1:4053 >"$runs/worker$node.log" 2>&1 &
done

api=(--server http://node1:5000 --token dev-token)
for _ in $(seq 1 60); do
  if "$lab" exec 1 "$ct" status "${api[@]}" 2>/dev/null | grep -q "0 busy, 2 idle"; then break; fi
  sleep 2
done
"$lab" exec 1 "$ct" status "${api[@]}" | grep -q "0 busy, 2 idle" || { echo "the two worker nodes did not register within 2 minutes" >&2; exit 1; }

declare -A rates
for precision in float32 bf16; do
  out="$("$lab" exec 1 "$ct" submit "${api[@]}" --model cnn --data sample --epochs "$epochs" --workers 2 --exchange-precision "$precision" --watch)"
  line="$(grep "epoch $epochs:" <<<"$out" | tail -1)"
  echo "$precision: $line"
  rates[$precision]="$(sed -E 's/.* ([0-9.]+) samples\/s.*/\1/' <<<"$line")"
done
echo "links $rate: bf16 / float32 samples/s = $(awk -v b="${rates[bf16]}" -v f="${rates[float32]}" 'BEGIN { printf "%.2f", b / f }')"
