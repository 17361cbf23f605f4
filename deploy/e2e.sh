#!/usr/bin/env bash
# The container deployment, run for real: builds the image from deploy/Dockerfile, starts docker-compose.yml with 3
# workers, trains a CNN job submitted from this machine through the CLI, checks the run's files on the runs volume,
# scrapes the nodes' metrics and the dashboard, kills a worker container during a second job and checks what the
# product promises for that, then tears everything down (also on failure or Ctrl-C).
#
# Needs: a Docker engine (`docker info` answers), docker-compose 1.28+ (or the `docker compose` plugin), the .NET SDK,
# curl. On a machine that reaches no image registry it first makes local base images: a Debian bookworm made with
# debootstrap (root and the debootstrap package needed, about a minute, once) and stand-ins for the .NET SDK and
# ASP.NET images that carry this machine's .NET and CA bundle (deploy/e2e/standin.Dockerfile). With a registry, set
# CT_E2E_SDK_IMAGE / CT_E2E_RUNTIME_IMAGE to the real images (or any others) and nothing is made.
#
# Usage: deploy/e2e.sh [--help]
# Settings (environment):
#   CT_E2E_PROJECT        compose project name (default ct-e2e; containers, network and volumes carry it)
#   CT_E2E_SDK_IMAGE      build-stage base image (default: the local stand-in ct-dotnet-sdk:e2e)
#   CT_E2E_RUNTIME_IMAGE  runtime base image (default: the local stand-in ct-dotnet-runtime:e2e)
#   CT_E2E_BASE_IMAGE     Debian base of the stand-ins (default ct-bookworm-base:e2e)
#   CT_E2E_REMAKE_BASE=1  remake the base and stand-in images even when they exist
#   CT_E2E_WORKERS        worker containers (default 3)
#   CT_E2E_CLI            command that runs the clustertrainer CLI (default: build src/ClusterTrainer.Cli, run it)
#   CT_E2E_RESULTS        file the measured numbers are written to as JSON (default: deploy/e2e/results.json is NOT
#                         written unless set)
# Exit codes: 0 passed, 1 a check failed, 2 a prerequisite is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "e2e: unknown argument '$1' (see deploy/e2e.sh --help)" >&2
  exit 2
fi

PROJECT=${CT_E2E_PROJECT:-ct-e2e}
BASE_IMAGE=${CT_E2E_BASE_IMAGE:-ct-bookworm-base:e2e}
SDK_IMAGE=${CT_E2E_SDK_IMAGE:-ct-dotnet-sdk:e2e}
RUNTIME_IMAGE=${CT_E2E_RUNTIME_IMAGE:-ct-dotnet-runtime:e2e}
WORKERS=${CT_E2E_WORKERS:-3}
IMAGE=clustertrainer:latest # the name docker-compose.yml runs
SERVER=http://127.0.0.1:5000
HTTP=http://127.0.0.1:8558
# The job that is watched to the end, and the longer one during which a worker container is killed.
FIRST_JOB=(--model cnn --data sample --epochs 2 --workers "$WORKERS" --seed 1)
SECOND_JOB=(--model cnn --data sample --epochs 30 --workers "$WORKERS" --seed 2)
THIRD_JOB=(--model mlp --data sample --epochs 1 --workers $((WORKERS - 1)) --seed 3)
MIN_ACCURACY=0.70 # the first job's test accuracy must exceed this (about 0.77 is usual for 2 epochs)
export CT_E2E_BASE_IMAGE=$BASE_IMAGE
# A fresh token per run: the job API and the dashboard are published beyond loopback inside the compose network.
CLUSTERTRAINER_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export CLUSTERTRAINER_TOKEN CLUSTERTRAINER_SERVER=$SERVER

# The CLI wraps long lines at the terminal width (80 columns when redirected) and keeps the space at a wrap, so
# deleting the line breaks gives back the text as printed.
unwrapped() { tr -d '\n' <"$1"; }
step() { printf '\n== e2e: %s\n' "$*"; }
fail() { printf 'e2e: FAILED: %s\n' "$*" >&2; exit 1; }
missing() { printf 'e2e: cannot run: %s\n' "$*" >&2; exit 2; }
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---- prerequisites -------------------------------------------------------------------------------------------------
command -v docker >/dev/null || missing "no docker client on PATH"
docker info >/dev/null 2>&1 || missing "no Docker engine answers (docker info failed); start dockerd first"
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null; then
  COMPOSE=(docker-compose)
else
  missing "neither 'docker compose' nor docker-compose is installed"
fi
command -v curl >/dev/null || missing "curl is not installed"
command -v dotnet >/dev/null || missing "the .NET SDK (dotnet) is not on PATH"
COMPOSE+=(-p "$PROJECT" -f docker-compose.yml -f deploy/e2e/compose.e2e.yml)

WORK=$(mktemp -d -t ct-e2e.XXXXXX)
cleanup() {
  local code=$?
  set +e
  if [[ $code -ne 0 ]] && "${COMPOSE[@]}" ps -q >/dev/null 2>&1; then
    step "logs of the nodes (last 60 lines each), since the run failed"
    "${COMPOSE[@]}" logs --no-color --tail 60 coordinator worker 2>&1 | tail -n 400
  fi
  step "tearing down: containers, network and volumes of project $PROJECT"
  [[ -n "${WATCH_PID:-}" ]] && kill "$WATCH_PID" 2>/dev/null
  "${COMPOSE[@]}" down --volumes --remove-orphans --timeout 20 >/dev/null 2>&1
  rm -rf "$WORK"
  if [[ $code -eq 0 ]]; then echo "e2e: PASSED"; else echo "e2e: exit code $code"; fi
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- base images ---------------------------------------------------------------------------------------------------
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

make_base_image() {
  command -v debootstrap >/dev/null || missing "$BASE_IMAGE is missing and debootstrap is not installed (apt-get install debootstrap)"
  [[ $(id -u) -eq 0 ]] || missing "$BASE_IMAGE is missing and debootstrap needs root"
  step "making $BASE_IMAGE with debootstrap (Debian bookworm, minbase)"
  local root=$WORK/rootfs
  debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,zlib1g,libgomp1 bookworm "$root" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed"; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
}

make_standin_images() {
  local dotnet_dir context=$WORK/standin
  dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")")
  step "making $SDK_IMAGE and $RUNTIME_IMAGE from $BASE_IMAGE with this machine's .NET ($dotnet_dir)"
  mkdir -p "$context"
  cp deploy/e2e/standin.Dockerfile "$context/Dockerfile"
  cp -L /etc/ssl/certs/ca-certificates.crt "$context/ca-certificates.crt"
  for target in sdk runtime; do
    local tag=$SDK_IMAGE
    [[ $target == runtime ]] && tag=$RUNTIME_IMAGE
    # The context is a tar: the .NET folder goes in as dotnet/ without being copied on disk first.
    tar -c -C "$context" Dockerfile ca-certificates.crt -C "$(dirname "$dotnet_dir")" \
        --transform "s,^$(basename "$dotnet_dir"),dotnet," "$(basename "$dotnet_dir")" \
      | docker build --quiet --build-arg "BASE_IMAGE=$BASE_IMAGE" --target "$target" -t "$tag" - >/dev/null
  done
}

if [[ -z "${CT_E2E_SDK_IMAGE:-}${CT_E2E_RUNTIME_IMAGE:-}" ]]; then
  if [[ "${CT_E2E_REMAKE_BASE:-0}" == 1 ]] || ! have_image "$BASE_IMAGE"; then make_base_image; fi
  if [[ "${CT_E2E_REMAKE_BASE:-0}" == 1 ]] || ! have_image "$SDK_IMAGE" || ! have_image "$RUNTIME_IMAGE"; then make_standin_images; fi
fi

# ---- the real image ------------------------------------------------------------------------------------------------
step "building $IMAGE from deploy/Dockerfile (build stage $SDK_IMAGE, runtime $RUNTIME_IMAGE)"
started=$(now)
# --network host: the restore reaches the package feed the way this machine does.
docker build --network host -f deploy/Dockerfile -t "$IMAGE" \
  --build-arg "SDK_IMAGE=$SDK_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log" >&2; fail "docker build failed"; }
BUILD_SECONDS=$(seconds_since "$started")
IMAGE_BYTES=$(docker image inspect -f '{{.Size}}' "$IMAGE")
echo "built in ${BUILD_SECONDS} s; image size $(awk -v b="$IMAGE_BYTES" 'BEGIN { printf "%.2f GB", b / 1e9 }') ($IMAGE_BYTES bytes)"

# ---- the CLI on this machine ---------------------------------------------------------------------------------------
if [[ -n "${CT_E2E_CLI:-}" ]]; then
  read -r -a CLI <<<"$CT_E2E_CLI"
else
  step "building the clustertrainer CLI on this machine"
  dotnet build src/ClusterTrainer.Cli -o "$WORK/cli" >"$WORK/cli-build.log" 2>&1 || { tail -20 "$WORK/cli-build.log" >&2; fail "the CLI did not build"; }
  CLI=(dotnet "$WORK/cli/clustertrainer.dll")
fi

# ---- the cluster ---------------------------------------------------------------------------------------------------
for port in 5000 8558; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then missing "port $port on this machine is taken; docker-compose.yml publishes it"; fi
done
step "starting docker-compose.yml (Seq replaced by deploy/e2e/compose.e2e.yml) with $WORKERS workers"
"${COMPOSE[@]}" up -d --no-build --scale "worker=$WORKERS" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; fail "docker-compose up failed"; }

# Workers are registered when the coordinator counts them as idle or busy workers.
registered_workers() {
  "${CLI[@]}" status 2>/dev/null | sed -n 's/.*workers: \([0-9]*\) busy, \([0-9]*\) idle.*/\1 \2/p' | awk '{ print $1 + $2 }'
}
wait_for_workers() {
  local want=$1 limit=$2 deadline=$((SECONDS + $2)) have=""
  while ((SECONDS < deadline)); do
    have=$(registered_workers || true)
    [[ "$have" == "$want" ]] && return 0
    sleep 2
  done
  fail "expected $want registered workers within $limit s, the coordinator reports '${have:-no answer}'"
}
started=$(now)
wait_for_workers "$WORKERS" 180
echo "cluster formed: coordinator + $WORKERS workers registered after $(seconds_since "$started") s"
"${CLI[@]}" status

# ---- job 1: watched to the end -------------------------------------------------------------------------------------
step "job 1: submit ${FIRST_JOB[*]} --watch (from this machine, through the job API)"
"${CLI[@]}" submit "${FIRST_JOB[@]}" --name e2e-first --watch | tee "$WORK/job1.log" || fail "job 1 did not finish (exit code ${PIPESTATUS[0]})"
JOB1=$(head -n 1 "$WORK/job1.log")
ACCURACY=$(unwrapped "$WORK/job1.log" | sed -n 's/.*finished: test accuracy \([0-9.]*\) %.*/\1/p')
[[ -n "$ACCURACY" ]] || fail "job 1's watch did not print its test accuracy"

step "job 1: its files on the runs volume"
in_coordinator() { "${COMPOSE[@]}" exec -T coordinator "$@"; }
for file in summary.json metrics.csv settings.json model.bin loss.png accuracy.png; do
  in_coordinator test -s "/runs/$JOB1/$file" || fail "/runs/$JOB1/$file is missing or empty on the runs volume"
done
in_coordinator bash -c "ls /runs/$JOB1/events.out.tfevents.* >/dev/null" || fail "no TensorBoard event file in /runs/$JOB1"
SUMMARY=$(in_coordinator cat "/runs/$JOB1/summary.json")
SUMMARY_ACCURACY=$(tr -d '\n ' <<<"$SUMMARY" | sed -n 's/.*"test_accuracy":\([0-9.eE+-]*\).*/\1/p')
SUMMARY_WORKERS=$(tr -d '\n ' <<<"$SUMMARY" | sed -n 's/.*"workers":\([0-9]*\).*/\1/p' | head -n 1)
EPOCH_ROWS=$(in_coordinator cat "/runs/$JOB1/metrics.csv" | tail -n +2 | grep -c .)
[[ "$SUMMARY_WORKERS" == "$WORKERS" ]] || fail "summary.json says $SUMMARY_WORKERS workers, the job asked for $WORKERS"
[[ "$EPOCH_ROWS" == 2 ]] || fail "metrics.csv has $EPOCH_ROWS epoch rows, expected 2"
awk -v a="$SUMMARY_ACCURACY" -v w="$ACCURACY" 'BEGIN { exit !(a * 100 - w < 0.01 && w - a * 100 < 0.01) }' \
  || fail "summary.json's test_accuracy $SUMMARY_ACCURACY differs from the watched $ACCURACY %"
awk -v a="$SUMMARY_ACCURACY" -v m="$MIN_ACCURACY" 'BEGIN { exit !(a > m) }' \
  || fail "job 1 reached test accuracy $SUMMARY_ACCURACY, not above $MIN_ACCURACY"
echo "job 1 ($JOB1): test accuracy $ACCURACY %, $EPOCH_ROWS epochs in metrics.csv, all files present"

# ---- job 2: a worker container killed while it trains --------------------------------------------------------------
step "job 2: submit ${SECOND_JOB[*]} --watch, then kill a worker container once epoch 1 is done"
"${CLI[@]}" submit "${SECOND_JOB[@]}" --name e2e-killed --watch >"$WORK/job2.log" 2>&1 &
WATCH_PID=$!
deadline=$((SECONDS + 240))
until grep -q ': epoch 1: ' "$WORK/job2.log"; do
  ((SECONDS < deadline)) || { cat "$WORK/job2.log" >&2; fail "job 2 finished no epoch within 240 s"; }
  kill -0 "$WATCH_PID" 2>/dev/null || { cat "$WORK/job2.log" >&2; fail "job 2 ended before its first epoch"; }
  sleep 1
done
JOB2=$(head -n 1 "$WORK/job2.log")

step "metrics and dashboard while job 2 runs"
METRICS=$(curl -fsS --max-time 10 "$HTTP/metrics") || fail "the coordinator's /metrics did not answer on $HTTP"
grep -q '^clustertrainer_jobs{state="running"} 1$' <<<"$METRICS" || fail "the coordinator's metrics do not show one running job"
grep -q "^clustertrainer_registered_workers $WORKERS\$" <<<"$METRICS" || fail "the coordinator's metrics do not show $WORKERS registered workers"
grep -q "^clustertrainer_epoch_test_accuracy{job_id=\"$JOB2\"}" <<<"$METRICS" || fail "no per-epoch test accuracy of job 2 in the coordinator's metrics"
VICTIM=$("${COMPOSE[@]}" ps -q worker | head -n 1)
# The runtime image has bash but no curl: the worker's /metrics is read through /dev/tcp inside its container.
WORKER_METRICS=$(docker exec "$VICTIM" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8558; printf "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3; cat <&3') \
  || fail "the worker's /metrics did not answer"
WORKER_STEPS=$(sed -n 's/^clustertrainer_worker_steps_total \([0-9.e+]*\).*/\1/p' <<<"$WORKER_METRICS" | tr -d '\r')
awk -v s="${WORKER_STEPS:-0}" 'BEGIN { exit !(s > 0) }' || fail "the worker's metrics count no training steps (clustertrainer_worker_steps_total '${WORKER_STEPS}')"
[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$HTTP/") == 200 ]] || fail "the dashboard page did not answer on $HTTP/"
[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$HTTP/api/jobs") == 401 ]] || fail "the dashboard's job list answered without the token"
curl -fsS --max-time 10 -H "Authorization: Bearer $CLUSTERTRAINER_TOKEN" "$HTTP/api/jobs" | grep -q "$JOB2" || fail "the dashboard's job list does not show job 2"
echo "coordinator: 1 running job, $WORKERS registered workers; a worker has done $WORKER_STEPS steps; dashboard answers, behind the token"

VICTIM_IP=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$VICTIM")
VICTIM_NAME=$(docker inspect -f '{{.Name}}' "$VICTIM" | tr -d /)
step "killing worker container $VICTIM_NAME ($VICTIM_IP) during job 2"
killed=$(now)
docker kill "$VICTIM" >/dev/null
set +e
wait "$WATCH_PID"
JOB2_EXIT=$?
set -e
WATCH_PID=
OUTCOME_SECONDS=$(seconds_since "$killed")
cat "$WORK/job2.log"

# What the product promises today when a worker dies (README, "Multi-process clusters"): the job fails within seconds
# with a message that names the lost worker, the metrics of the finished epochs stay in the run directory, and the
# surviving workers are free for the next job. Elastic training will change this: edit only this function then.
check_outcome_of_a_killed_worker() {
  [[ $JOB2_EXIT == 1 ]] || fail "job 2's watch exited $JOB2_EXIT after a worker was killed; expected 1 (failed)"
  unwrapped "$WORK/job2.log" | grep -q "$JOB2 failed" || fail "job 2 was not reported failed"
  unwrapped "$WORK/job2.log" | grep -qE "${VICTIM_IP//./\\.}([^0-9]|\$)" || fail "job 2's failure does not name the killed worker ($VICTIM_IP)"
  awk -v s="$OUTCOME_SECONDS" 'BEGIN { exit !(s < 60) }' || fail "job 2 took $OUTCOME_SECONDS s to fail after the kill"
  local rows
  rows=$(in_coordinator cat "/runs/$JOB2/metrics.csv" | tail -n +2 | grep -c .)
  ((rows >= 1)) || fail "job 2's run directory lost the metrics of its finished epochs"
  wait_for_workers $((WORKERS - 1)) 60
  echo "job 2 failed $OUTCOME_SECONDS s after the kill, naming $VICTIM_IP; $rows finished epochs kept; $((WORKERS - 1)) workers registered"
  step "job 3: the surviving workers train the next job: submit ${THIRD_JOB[*]} --watch"
  "${CLI[@]}" submit "${THIRD_JOB[@]}" --name e2e-after-loss --watch >"$WORK/job3.log" 2>&1 || { cat "$WORK/job3.log" >&2; fail "job 3 on the surviving workers did not finish"; }
  unwrapped "$WORK/job3.log" | sed -n 's/.*\(finished: test accuracy [0-9.]* %\).*/job 3 \1/p'
  echo
}
check_outcome_of_a_killed_worker
"${CLI[@]}" status
VICTIM_STATE=$(docker inspect -f '{{.State.Status}} (exit code {{.State.ExitCode}}, restarts {{.RestartCount}})' "$VICTIM")
echo "the killed container afterwards: $VICTIM_STATE"

if [[ -n "${CT_E2E_RESULTS:-}" ]]; then
  cat >"$CT_E2E_RESULTS" <<JSON
{"image": "$IMAGE", "image_bytes": $IMAGE_BYTES, "build_seconds": $BUILD_SECONDS, "workers": $WORKERS,
 "job1": "$JOB1", "job1_test_accuracy_percent": $ACCURACY, "job2": "$JOB2", "job2_exit_code": $JOB2_EXIT,
 "job2_failed_seconds_after_kill": $OUTCOME_SECONDS, "killed_worker": "$VICTIM_IP"}
JSON
fi
step "summary: image $IMAGE_BYTES bytes, built in $BUILD_SECONDS s; job 1 $ACCURACY %; job 2 failed $OUTCOME_SECONDS s after $VICTIM_IP was killed"
