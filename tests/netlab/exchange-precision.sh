#!/usr/bin/env bash
# Float32 against bf16 gradients on the wire (--exchange-precision), on the network lab: a coordinator and two worker
# nodes, each link shaped to RATE, the same CNN job submitted once with each precision; prints both samples/s and their
# ratio. As root, with the Release build:
#
#   tests/netlab/exchange-precision.sh [RATE] [EPOCHS]      (default 100mbit, 1)
#
# The lab is removed at the end, also when a step fails (lab-cluster.sh builds it, under its own lab name).
set -euo pipefail
rate="${1:-100mbit}"
epochs="${2:-1}"
export NETLAB_NAME=xp
source "$(dirname "$0")/lab-cluster.sh"
lab_cluster_up 2 "$rate"

declare -A rates
for precision in float32 bf16; do
  out="$("$lab" exec 1 "$ct" submit "${api[@]}" --model cnn --data sample --epochs "$epochs" --workers 2 --exchange-precision "$precision" --watch)"
  line="$(grep "epoch $epochs:" <<<"$out" | tail -1)"
  echo "$precision: $line"
  rates[$precision]="$(sed -E 's/.* ([0-9.]+) samples\/s.*/\1/' <<<"$line")"
done
echo "links $rate: bf16 / float32 samples/s = $(awk -v b="${rates[bf16]}" -v f="${rates[float32]}" 'BEGIN { printf "%.2f", b / f }')"
