#!/usr/bin/env bash
# The network lab by hand: N emulated nodes on this machine, each a network namespace with one veth link (eth0) to a
# bridge that lives in a namespace of its own (never on this machine's interfaces), each link shaped to a rate (tc tbf).
# Start a coordinator and workers inside the nodes, cut a node off and heal it. Needs root and iproute2.
#
#   netlab.sh up N RATE       N nodes (1..200); RATE per link as tc writes it (100mbit, 1gbit, 10gbit) or "none"
#   netlab.sh exec NODE CMD…  run CMD in node NODE (1..N), e.g. `exec 2 clustertrainer node --role worker …`
#   netlab.sh partition NODE  cut NODE's link (its processes keep running, unreachable)
#   netlab.sh heal NODE       restore it
#   netlab.sh shape NODE RATE change one link's rate
#   netlab.sh status          nodes, addresses, links and their shaping
#   netlab.sh down            remove the lab (every namespace and file it made; processes in it are stopped)
#
# Node K is namespace ctlab-<lab>-K with address 198.19.32.(K+1) and the name nodeK in its /etc/hosts (via
# /etc/netns). <lab> is $NETLAB_NAME (default "lab"); several labs can run at once under different names, each
# with its own bridge, so they never see each other. This kernel has no netem: no delay or loss emulation.
set -euo pipefail

LAB="${NETLAB_NAME:-lab}"
PREFIX="ctlab-${LAB}"
BRIDGE="${PREFIX}-br"
SUBNET="198.19.32"

die() { echo "netlab: $*" >&2; exit 1; }

usage() { sed -n '6,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

require_tools() {
    [[ $(id -u) -eq 0 ]] || die "needs root (network namespaces); run it with sudo"
    for tool in ip tc; do
        command -v "$tool" >/dev/null || die "missing $tool (Debian: apt-get install iproute2)"
    done
    [[ "$LAB" =~ ^[a-z0-9]{1,20}$ ]] || die "NETLAB_NAME must be 1-20 lower-case letters or digits (got '$LAB')"
}

node_ns() {
    [[ "$1" =~ ^[0-9]+$ ]] && ip netns list | grep -qx "${PREFIX}-$1\( (id: [0-9]*)\)\{0,1\}" \
        || die "no node '$1' in lab '$LAB' (see: netlab.sh status)"
    echo "${PREFIX}-$1"
}

# tbf needs a burst of at least one rate's worth of a timer tick; 1 ms of the rate, and never under 256 KiB.
shape() {
    local ns=$1 rate=$2
    if [[ "$rate" == none ]]; then
        ip netns exec "$ns" tc qdisc del dev eth0 root 2>/dev/null || true
        return
    fi
    local bits
    bits=$(rate_bits "$rate") || die "rate '$rate' is not a rate: give e.g. 100mbit, 1gbit, 10gbit or none"
    local burst=$(( bits / 8 / 1000 ))
    (( burst < 262144 )) && burst=262144
    ip netns exec "$ns" tc qdisc replace dev eth0 root tbf rate "$rate" burst "$burst" latency 50ms \
        || die "could not shape $ns with tc tbf (does this kernel have sch_tbf?)"
}

rate_bits() {
    [[ "$1" =~ ^([0-9]+)(kbit|mbit|gbit)$ ]] || return 1
    case "${BASH_REMATCH[2]}" in
        kbit) echo $(( BASH_REMATCH[1] * 1000 )) ;;
        mbit) echo $(( BASH_REMATCH[1] * 1000000 )) ;;
        gbit) echo $(( BASH_REMATCH[1] * 1000000000 )) ;;
    esac
}

lab_namespaces() { ip netns list | awk '{print $1}' | grep "^${PREFIX}-" || true; }

# Processes still running in the lab's nodes end with it (TERM, then KILL after 5 s): a namespace that is deleted
# while a process holds it lives on, unreachable.
down() {
    local pids=
    for ns in $(lab_namespaces); do
        pids+=" $(ip netns pids "$ns" | tr '\n' ' ')"
    done
    if [[ -n "${pids// /}" ]]; then
        kill -TERM $pids 2>/dev/null || true
        for _ in $(seq 50); do
            local alive=
            for pid in $pids; do
                kill -0 "$pid" 2>/dev/null && alive=1
            done
            [[ -n "$alive" ]] || break
            sleep 0.1
        done
        kill -KILL $pids 2>/dev/null || true
    fi
    for ns in $(lab_namespaces); do
        ip netns del "$ns"
    done
    rm -rf /etc/netns/"${PREFIX}"-*
}

up() {
    local count=${1:-} rate=${2:-}
    [[ "$count" =~ ^[0-9]+$ ]] && (( count >= 1 && count <= 200 )) || die "N must be a number of nodes from 1 to 200 (got '$count')"
    [[ -n "$rate" ]] || die "give a rate per link: e.g. netlab.sh up $count 1gbit (or none)"
    [[ "$rate" == none ]] || rate_bits "$rate" >/dev/null || die "rate '$rate' is not a rate: give e.g. 100mbit, 1gbit, 10gbit or none"
    [[ -z "$(lab_namespaces)" ]] || die "lab '$LAB' is already up (netlab.sh down first, or set NETLAB_NAME)"
    # Whatever fails half-way, nothing is left behind.
    trap 'down; die "up failed; the lab was removed"' ERR
    ip netns add "$BRIDGE"
    ip -n "$BRIDGE" link add br0 type bridge
    ip -n "$BRIDGE" link set br0 up
    local hosts="127.0.0.1 localhost"$'\n'
    for k in $(seq 1 "$count"); do
        hosts+="${SUBNET}.$((k + 1)) node${k}"$'\n'
    done
    for k in $(seq 1 "$count"); do
        local ns="${PREFIX}-${k}"
        ip netns add "$ns"
        ip -n "$BRIDGE" link add "v${k}" type veth peer name eth0 netns "$ns"
        ip -n "$BRIDGE" link set "v${k}" master br0
        ip -n "$BRIDGE" link set "v${k}" up
        ip -n "$ns" addr add "${SUBNET}.$((k + 1))/24" dev eth0
        ip -n "$ns" link set eth0 up
        ip -n "$ns" link set lo up
        mkdir -p "/etc/netns/${ns}"
        printf '%s' "$hosts" > "/etc/netns/${ns}/hosts"
        shape "$ns" "$rate"
    done
    trap - ERR
    status
}

status() {
    local any=
    for ns in $(lab_namespaces | grep -v -- '-br$' | sort -t- -k3 -n); do
        any=1
        local k=${ns##*-}
        local link qdisc
        link=$(ip -n "$BRIDGE" -br link show "v${k}" | awk '{print $2}')
        qdisc=$(ip netns exec "$ns" tc qdisc show dev eth0 | awk '/tbf/ {for (i = 1; i <= NF; i++) if ($i == "rate") print $(i + 1)}')
        printf 'node%-4s %-22s %-16s link %-6s rate %s\n' "$k" "$ns" "${SUBNET}.$((k + 1))" "${link:-?}" "${qdisc:-unshaped}"
    done
    [[ -n "$any" ]] || echo "lab '$LAB' is down"
}

command=${1:-}
[[ -n "$command" ]] || usage
shift
require_tools
case "$command" in
    up) up "$@" ;;
    down) down ;;
    status) status ;;
    exec)
        (( $# >= 2 )) || die "usage: netlab.sh exec NODE CMD..."
        ns=$(node_ns "$1"); shift
        exec ip netns exec "$ns" "$@" ;;
    partition) ns=$(node_ns "${1:-}"); ip -n "$BRIDGE" link set "v${ns##*-}" down ;;
    heal) ns=$(node_ns "${1:-}"); ip -n "$BRIDGE" link set "v${ns##*-}" up ;;
    shape) ns=$(node_ns "${1:-}"); shape "$ns" "${2:?give a rate, e.g. 1gbit or none}" ;;
    *) usage ;;
esac
