#!/usr/bin/env bash
# A real, private Slurm cluster on this machine, for trying and testing the scripts in slurm/.
#
#   scripts/slurm-local.sh start    start munged, slurmctld and the slurmd of every node; prints SLURM_CONF=...
#   scripts/slurm-local.sh stop     stop them by PID (slurmd, then slurmctld, then munged) and remove the network
#   scripts/slurm-local.sh status   tell what runs; exit 0 only when the whole cluster is up
#
# Use it as:  export "$(scripts/slurm-local.sh start)"   then sbatch/srun/scontrol as on any cluster.
#
# Layout. slurmctld and munged run in this machine's own network namespace. Each compute node nisnode1,
# nisnode2, ... is a slurmd in a network namespace of its own (`ip netns`), joined to a bridge by a veth pair,
# with its own private address, its own host name (UTS namespace) and its own /etc/hosts (bind mount in a
# private mount namespace; the machine's /etc/hosts is not changed). So `srun` launches tasks on two hosts
# that reach each other over TCP, as on a cluster; both share this machine's cores and file system.
# Traffic stays between the bridge and the namespaces made here: nothing is forwarded or routed outside.
# Where network namespaces cannot be made (no CAP_NET_ADMIN, no veth/bridge support), the script falls back
# to one node, slurmd in the machine's own namespace on 127.0.0.1, and says so.
#
# Knobs (environment):
#   NISGEN_SLURM_DIR     scratch folder for config, keys, state, spool, logs, pid files  [/tmp/nisgen-slurm]
#   NISGEN_SLURM_NODES   number of compute nodes (1 = slurmd in the machine's namespace)  [2]
#   NISGEN_SLURM_CPUS    CPUs declared per node                        [cores / nodes, at least 1]
#   NISGEN_SLURM_NET     first three octets of the private /24 for bridge and nodes        [10.213.7]
#   NISGEN_SLURM_PORT    slurmctld port; slurmd listens on the next one                    [16817]
# Only one such cluster per machine: the bridge and namespace names (nisgenbr0, nisgen-nisnodeN) are fixed.
set -euo pipefail

DIR=${NISGEN_SLURM_DIR:-/tmp/nisgen-slurm}
NODES=${NISGEN_SLURM_NODES:-2}
NET=${NISGEN_SLURM_NET:-10.213.7}
CTLD_PORT=${NISGEN_SLURM_PORT:-16817}
SLURMD_PORT=$((CTLD_PORT + 1))
BRIDGE=nisgenbr0
CONF=$DIR/etc/slurm.conf
MUNGE_SOCKET=$DIR/munge/munge.socket
START_TIMEOUT=${NISGEN_SLURM_START_TIMEOUT:-30}

say() { echo "slurm-local: $*" >&2; }
die() { echo "slurm-local: error: $*" >&2; exit 1; }

[[ $NODES =~ ^[1-9][0-9]*$ ]] || die "NISGEN_SLURM_NODES must be a positive integer, not '$NODES'"
[[ $NODES -le 32 ]] || die "NISGEN_SLURM_NODES=$NODES: at most 32 nodes"
[[ $CTLD_PORT =~ ^[0-9]+$ ]] || die "NISGEN_SLURM_PORT must be a port number, not '$CTLD_PORT'"
[[ $NET =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "NISGEN_SLURM_NET must look like 10.213.7, not '$NET'"

node_name() { echo "nisnode$1"; }
node_addr() { echo "$NET.$((10 + $1))"; }
netns_name() { echo "nisgen-$(node_name "$1")"; }
veth_name() { echo "nisgenv$1"; }   # host side; at most 15 characters

# The mode the running cluster was started in (netns or single), recorded at start.
mode_file=$DIR/run/mode

# pid from a pid file, printed only if that process is alive (not a zombie) and is the named program.
live_pid() {
    local file=$1 prog=$2 pid
    [[ -s $file ]] || return 1
    pid=$(tr -dc '0-9' <"$file")
    [[ -n $pid && -r /proc/$pid/comm ]] || return 1
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$prog" ]] || return 1
    # A killed daemon may linger as a zombie until init reaps it.
    [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
    echo "$pid"
}

slurmd_pidfile() { echo "$DIR/run/slurmd-$1.pid"; }

# Names of the nodes of the running (or last started) cluster.
current_nodes() {
    if [[ -s $CONF ]]; then
        sed -n 's/^NodeName=\([^ ]*\) .*/\1/p' "$CONF"
    fi
}

# Stop one process by PID: TERM, wait up to $3 s, then KILL.
stop_pid() {
    local pid=$1 what=$2 wait_s=${3:-10} i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < wait_s * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        # A stopped daemon may linger as a zombie of a process we do not own: count it as gone.
        [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && return 0
        sleep 0.1
    done
    say "$what (pid $pid) did not stop within ${wait_s}s: sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
}

cluster_up() {
    [[ -s $CONF ]] || return 1
    live_pid "$DIR/run/munged.pid" munged >/dev/null || return 1
    live_pid "$DIR/run/slurmctld.pid" slurmctld >/dev/null || return 1
    local n
    for n in $(current_nodes); do
        live_pid "$(slurmd_pidfile "$n")" slurmd >/dev/null || return 1
    done
    SLURM_CONF=$CONF scontrol ping >/dev/null 2>&1
}

network_down() {
    local i ns pid
    for ((i = 1; i <= 32; i++)); do
        ns=$(netns_name "$i")
        if ip netns list 2>/dev/null | grep -qw "^$ns"; then
            # Whatever still runs in a node's namespace was started by this cluster (slurmstepd, job tasks).
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
            ip netns del "$ns" 2>/dev/null || say "could not delete network namespace $ns"
        fi
        ip link show "$(veth_name "$i")" >/dev/null 2>&1 && ip link del "$(veth_name "$i")" 2>/dev/null || true
    done
    if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE" || say "could not delete bridge $BRIDGE"; fi
}

do_stop() {
    local n pid any=0
    for n in $(current_nodes); do
        if pid=$(live_pid "$(slurmd_pidfile "$n")" slurmd); then stop_pid "$pid" "slurmd $n" 10; any=1; fi
    done
    if pid=$(live_pid "$DIR/run/slurmctld.pid" slurmctld); then stop_pid "$pid" slurmctld 15; any=1; fi
    if pid=$(live_pid "$DIR/run/munged.pid" munged); then stop_pid "$pid" munged 5; any=1; fi
    if [[ -f $mode_file && $(cat "$mode_file") == netns ]] || ip link show "$BRIDGE" >/dev/null 2>&1; then
        network_down; any=1
    fi
    rm -f "$mode_file"
    if [[ $any == 1 ]]; then say "stopped (files kept in $DIR)"; else say "not running"; fi
}

need() {
    local missing=() c
    for c in "$@"; do command -v "$c" >/dev/null || missing+=("$c"); done
    [[ ${#missing[@]} -eq 0 ]] || die "missing ${missing[*]} — run scripts/setup.sh (installs slurm-wlm munge iproute2)"
}

# Network namespaces, veth pairs and a bridge; returns 1 (after cleaning up) when this machine cannot.
network_up() {
    network_down
    ip link add "$BRIDGE" type bridge 2>/dev/null || return 1
    ip addr add "$NET.1/24" dev "$BRIDGE" && ip link set "$BRIDGE" up || { network_down; return 1; }
    local i ns v
    for ((i = 1; i <= NODES; i++)); do
        ns=$(netns_name "$i"); v=$(veth_name "$i")
        if ! { ip netns add "$ns" &&
               ip link add "$v" type veth peer name eth0 netns "$ns" &&
               ip link set "$v" master "$BRIDGE" && ip link set "$v" up &&
               ip -n "$ns" addr add "$(node_addr "$i")/24" dev eth0 &&
               ip -n "$ns" link set eth0 up && ip -n "$ns" link set lo up; } 2>/dev/null; then
            network_down; return 1
        fi
    done
}

write_config() {
    local mode=$1 host=$2 ctld_addr=$3 cpus=$4 mem=$5 i
    {
        echo "# Written by scripts/slurm-local.sh ($mode mode): a private test cluster; do not edit, it is rewritten at start."
        echo "ClusterName=nisgen-local"
        echo "SlurmctldHost=$host($ctld_addr)"
        echo "SlurmctldPort=$CTLD_PORT"
        echo "SlurmdPort=$SLURMD_PORT"
        echo "SlurmUser=root"
        echo "SlurmdUser=root"
        echo "AuthType=auth/munge"
        echo "CredType=cred/munge"
        echo "AuthInfo=socket=$MUNGE_SOCKET"
        echo "StateSaveLocation=$DIR/state"
        echo "SlurmdSpoolDir=$DIR/spool/%n"
        # Each node's "local" scratch (the PMIx plugin's client folders live here): the nodes share one /tmp.
        echo "TmpFS=$DIR/tmp/%n"
        echo "SlurmctldPidFile=$DIR/run/slurmctld.pid"
        echo "SlurmdPidFile=$DIR/run/slurmd-%n.pid"
        echo "SlurmctldLogFile=$DIR/log/slurmctld.log"
        echo "SlurmdLogFile=$DIR/log/slurmd-%n.log"
        echo "SlurmctldDebug=info"
        echo "SlurmdDebug=info"
        echo "ProctrackType=proctrack/linuxproc"
        echo "TaskPlugin=task/none"
        echo "SelectType=select/cons_tres"
        echo "SelectTypeParameters=CR_Core"
        echo "SchedulerType=sched/backfill"
        echo "MpiDefault=none"
        echo "ReturnToService=2"
        echo "JobRequeue=1"
        echo "AccountingStorageType=accounting_storage/none"
        echo "JobAcctGatherType=jobacct_gather/none"
        echo "JobCompType=jobcomp/none"
        echo "MailProg=/bin/true"
        # Finished jobs stay visible to `scontrol show job` for 10 minutes (there is no accounting database).
        echo "MinJobAge=600"
        echo "KillWait=10"
        # Schedule pending jobs within seconds (defaults: 60 s main loop, 30 s backfill).
        echo "SchedulerParameters=sched_interval=2,bf_interval=2"
        echo "InactiveLimit=0"
        echo "SlurmdTimeout=60"
        echo "SlurmctldTimeout=60"
        for ((i = 1; i <= NODES; i++)); do
            if [[ $mode == netns ]]; then
                echo "NodeName=$(node_name "$i") NodeHostname=$(node_name "$i") NodeAddr=$(node_addr "$i") CPUs=$cpus RealMemory=$mem State=UNKNOWN"
            else
                echo "NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN"
            fi
        done
        echo "PartitionName=nisgen Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
    } >"$CONF.new"
    mv "$CONF.new" "$CONF"
}

wait_ready() {
    local want=$1 deadline=$((SECONDS + START_TIMEOUT)) idle
    while ((SECONDS < deadline)); do
        idle=$(SLURM_CONF=$CONF sinfo -h -N -o '%N %T' 2>/dev/null | awk '$2 ~ /^(idle|mixed|allocated)/' | sort -u | wc -l)
        [[ $idle -ge $want ]] && return 0
        sleep 0.2
    done
    say "the cluster did not come up within ${START_TIMEOUT}s; node states:"
    SLURM_CONF=$CONF sinfo -N -o '%N %T %E' >&2 || true
    local f
    for f in "$DIR"/log/*.log; do [[ -f $f ]] && { echo "--- $f (last lines)" >&2; tail -n 8 "$f" >&2; }; done
    do_stop
    die "start failed (logs in $DIR/log)"
}

do_start() {
    if cluster_up; then
        say "already running ($(current_nodes | wc -l) node(s), $DIR)"
        echo "SLURM_CONF=$CONF"
        return 0
    fi
    [[ $(id -u) -eq 0 ]] || die "must run as root (daemons run as root, namespaces need CAP_NET_ADMIN)"
    need munged mungekey slurmctld slurmd scontrol sinfo
    # Something half up (a crash, a killed run): stop it first so that start always begins from a clean slate.
    do_stop >/dev/null 2>&1 || true

    mkdir -p "$DIR"/{etc,state,spool,tmp,run,log}
    install -d -m 0755 "$DIR/munge"
    install -d -m 0700 "$DIR/munge/key"
    rm -rf "${DIR:?}"/state/* "${DIR:?}"/spool/* "${DIR:?}"/tmp/*
    [[ -s $DIR/munge/key/munge.key ]] || mungekey --create --keyfile="$DIR/munge/key/munge.key" 2>/dev/null ||
        die "mungekey could not create $DIR/munge/key/munge.key"
    chmod 0400 "$DIR/munge/key/munge.key"

    local host cores cpus mem mode=single
    host=$(hostname -s)
    cores=$(nproc)
    if [[ $NODES -gt 1 ]]; then
        command -v ip >/dev/null && command -v nsenter >/dev/null && command -v unshare >/dev/null || die "two nodes need 'ip' (iproute2), 'nsenter' and 'unshare' (util-linux)"
        if network_up; then
            mode=netns
        else
            say "warning: cannot create network namespaces, veth pairs and a bridge here: falling back to ONE node"
            NODES=1
        fi
    fi
    cpus=${NISGEN_SLURM_CPUS:-$((cores / NODES > 0 ? cores / NODES : 1))}
    mem=$(awk -v n="$NODES" '/^MemTotal:/ {m = int($2 / 1024 / n / 2); print (m > 500 ? m : 500)}' /proc/meminfo)
    if [[ $mode == netns ]]; then write_config netns "$host" "$NET.1" "$cpus" "$mem"; else write_config single "$host" 127.0.0.1 "$cpus" "$mem"; fi
    echo "$mode" >"$mode_file"

    munged --socket="$MUNGE_SOCKET" --key-file="$DIR/munge/key/munge.key" --pid-file="$DIR/run/munged.pid" \
        --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" --force 2>>"$DIR/log/munged.log" ||
        { tail -n 5 "$DIR/log/munged.log" >&2; die "munged did not start (log $DIR/log/munged.log)"; }

    slurmctld -f "$CONF" 2>>"$DIR/log/slurmctld.log" ||
        { tail -n 8 "$DIR/log/slurmctld.log" >&2; do_stop; die "slurmctld did not start (log $DIR/log/slurmctld.log)"; }

    local i n hosts
    if [[ $mode == netns ]]; then
        hosts=$DIR/etc/hosts
        {
            echo "127.0.0.1 localhost"
            echo "$NET.1 $host"
            for ((i = 1; i <= NODES; i++)); do echo "$(node_addr "$i") $(node_name "$i")"; done
        } >"$hosts"
        for ((i = 1; i <= NODES; i++)); do
            n=$(node_name "$i")
            mkdir -p "$DIR/spool/$n" "$DIR/tmp/$n"
            # slurmd forks into the background; its namespaces (net, UTS, mount) are inherited by every
            # slurmstepd and job task it starts.
            # nsenter rather than `ip netns exec`, which remounts /sys and so hides /sys/fs/cgroup from slurmd.
            nsenter --net="/run/netns/$(netns_name "$i")" unshare --uts --mount --propagation private \
                /bin/sh -c 'mount --bind "$1" /etc/hosts && hostname "$2" && exec slurmd -f "$3" -N "$2"' \
                slurmd-launch "$hosts" "$n" "$CONF" 2>>"$DIR/log/slurmd-$n.log" ||
                { tail -n 8 "$DIR/log/slurmd-$n.log" >&2; do_stop; die "slurmd $n did not start (log $DIR/log/slurmd-$n.log)"; }
        done
    else
        mkdir -p "$DIR/spool/$host" "$DIR/tmp/$host"
        slurmd -f "$CONF" -N "$host" 2>>"$DIR/log/slurmd-$host.log" ||
            { tail -n 8 "$DIR/log/slurmd-$host.log" >&2; do_stop; die "slurmd did not start (log $DIR/log/slurmd-$host.log)"; }
    fi
    wait_ready "$NODES"
    say "up: $NODES node(s) [$(current_nodes | paste -sd, -)] with $cpus CPU(s) each, partition nisgen, files in $DIR"
    echo "SLURM_CONF=$CONF"
}

do_status() {
    local n pid rc=0
    if pid=$(live_pid "$DIR/run/munged.pid" munged); then echo "munged     running (pid $pid)"; else echo "munged     stopped"; rc=1; fi
    if pid=$(live_pid "$DIR/run/slurmctld.pid" slurmctld); then echo "slurmctld  running (pid $pid)"; else echo "slurmctld  stopped"; rc=1; fi
    local nodes
    nodes=$(current_nodes)
    [[ -n $nodes ]] || { echo "slurmd     not configured (never started in $DIR)"; return 1; }
    for n in $nodes; do
        if pid=$(live_pid "$(slurmd_pidfile "$n")" slurmd); then echo "slurmd     $n running (pid $pid)"; else echo "slurmd     $n stopped"; rc=1; fi
    done
    if [[ $rc == 0 ]]; then
        SLURM_CONF=$CONF sinfo -N -o '%N %T %c' 2>/dev/null || rc=1
        echo "SLURM_CONF=$CONF"
    fi
    return $rc
}

case ${1:-} in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    *) echo "usage: $0 start|stop|status   (scratch folder: $DIR)" >&2; exit 2 ;;
esac
