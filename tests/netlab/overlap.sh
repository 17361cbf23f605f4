#!/usr/bin/env bash
# The gradient exchange overlapped with backward (--bucket-mb) against the exchange after backward, on the network
# lab: a coordinator and WORKERS worker nodes, each link shaped to RATE, the same CNN job submitted once each way.
# Prints, per way, the step time (global batch / samples/s) and the workers' mean compute and exchange time per step
# (from their /metrics: compute = forward + backward + optimizer; exchange = the wait for the all-reduce that backward
# did not hide), and the overlapped step against max(compute, exchange) of the run without overlap. As root, with the
# Release build:
#
#   tests/netlab/overlap.sh [RATE] [WORKERS] [BUCKET_MB]      (default 1gbit, 2, 1)
#
# The lab is removed at the end, also when a step fails (lab-cluster.sh builds it, under its own lab name).
set -euo pipefail
rate="${1:-1gbit}"
workers="${2:-2}"
bucket="${3:-1}"
batch=32
export NETLAB_NAME=ov
source "$(dirname "$0")/lab-cluster.sh"
lab_cluster_up "$workers" "$rate" --management-port 9100

# Sum and count of one phase of worker node 2's step histogram.
phase() {
  "$lab" exec 1 curl -s "http://node2:9100/metrics" | awk -v p="$1" '
    $0 ~ "^clustertrainer_worker_step_phase_seconds_sum\\{.*phase=\"" p "\"" { s = $NF }
    $0 ~ "^clustertrainer_worker_step_phase_seconds_count\\{.*phase=\"" p "\"" { c = $NF }
    END { printf "%s %s", s + 0, c + 0 }'
}

declare -A step compute exchange
# A warm-up job first: the workers' JIT and the ring's first connections are not what is measured.
for way in warmup after overlapped; do
  extra=()
  [[ $way == overlapped ]] && extra=(--bucket-mb "$bucket")
  read -r c0 n0 <<<"$(phase compute)"; read -r e0 _ <<<"$(phase exchange)"
  out="$("$lab" exec 1 "$ct" submit "${api[@]}" --model cnn --data sample --epochs 1 --batch-size "$batch" --workers "$workers" --threads 1 "${extra[@]}" --watch)"
  read -r c1 n1 <<<"$(phase compute)"; read -r e1 _ <<<"$(phase exchange)"
  [[ $way == warmup ]] && continue
  line="$(grep "epoch 1:" <<<"$out" | tail -1)"
  rate_line="$(sed -E 's/.* ([0-9.]+) samples\/s.*/\1/' <<<"$line")"
  step[$way]="$(awk -v r="$rate_line" -v b="$batch" 'BEGIN { printf "%.2f", 1000 * b / r }')"
  compute[$way]="$(awk -v a="$c0" -v b="$c1" -v m="$n0" -v n="$n1" 'BEGIN { printf "%.2f", 1000 * (b - a) / (n - m) }')"
  exchange[$way]="$(awk -v a="$e0" -v b="$e1" -v m="$n0" -v n="$n1" 'BEGIN { printf "%.2f", 1000 * (b - a) / (n - m) }')"
  echo "$way: step ${step[$way]} ms ($rate_line samples/s), compute ${compute[$way]} ms, exchange ${exchange[$way]} ms per step"
done
echo "links $rate, $workers workers, CNN batch $batch: without overlap step = ${step[after]} ms (compute + exchange = $(awk -v c="${compute[after]}" -v e="${exchange[after]}" 'BEGIN { printf "%.2f", c + e }') ms); with --bucket-mb $bucket step = ${step[overlapped]} ms"
awk -v s="${step[overlapped]}" -v c="${compute[after]}" -v e="${exchange[after]}" -v s0="${step[after]}" \
  'BEGIN { m = c > e ? c : e; printf "overlapped step / max(compute, exchange) = %.2f; overlapped / without = %.2f\n", s / m, s / s0 }'
