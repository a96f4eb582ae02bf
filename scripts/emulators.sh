#!/usr/bin/env bash
# make test-emulators: run cogconform against real third-party Cognito emulators
# and hold its verdicts to the reasoned expectations in emulators/testdata/.
#
#   moto          moto_server 5.2.1 from the machine's Python (pyenv); MOTO_SERVER=path overrides
#   cognito-local pinned by emulators/cognito-local/package-lock.json, installed with
#                 `npm ci` into .cache/emulators/cognito-local (git-ignored)
#
# Each emulator is started on 127.0.0.1 and a free port, waited for, checked with
# `cogconform run --cases 10 --seed 1`, and stopped; a trap stops whatever still
# runs on any exit. Reports and emulator logs go to .cache/emulators/results/<name>/;
# on failure the tail of each log is printed. Then `go test ./emulators -run
# TestEmulators` compares every check's verdict with the expectations.
#
# Environment: COGCONFORM_EMULATORS=moto,cognito-local (a subset to run),
# COGCONFORM_EMULATORS_OUT (results folder), COGCONFORM_EMULATORS_STRICT=1 (fail on
# tolerated harness bugs too), MOTO_SERVER, GO.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
GO=${GO:-go}
BIN=$ROOT/bin/cogconform
CACHE=$ROOT/.cache/emulators
OUT=${COGCONFORM_EMULATORS_OUT:-$CACHE/results}
EMULATORS=${COGCONFORM_EMULATORS:-moto,cognito-local}
# The expectations were reasoned for this run shape; change them together.
CASES=10
SEED=1
START_TIMEOUT=60 # seconds for an emulator to answer
RUN_TIMEOUT=4m   # per emulator run

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cogconform-emulators.XXXXXX")
declare -A PIDS=()    # emulator name -> PID of the server we started
declare -A LOGS=()    # emulator name -> its log file
declare -A VERSIONS=() # emulator name -> version found
RUNNER=                # PID of a running `cogconform run`

say() { printf '==> %s\n' "$*"; }
die() {
	printf 'test-emulators: %s\n' "$*" >&2
	exit 1
}

# alive PID: the process exists and is not a zombie waiting to be reaped.
alive() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ -n $state && $state != Z* ]]
}

# stop NAME: TERM the server (its process group when it leads one), KILL it after
# 10 s, and reap it. Only PIDs this script started are ever signalled.
stop() {
	local name=$1 pid pgid target i
	pid=${PIDS[$name]:-}
	[[ -n $pid ]] || return 0
	unset "PIDS[$name]"
	target=$pid
	pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') || true
	if [[ $pgid == "$pid" ]]; then
		target=-$pid
	fi
	if alive "$pid"; then
		kill -TERM -- "$target" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			say "$name (PID $pid) ignored SIGTERM for 10 s; killing it"
			kill -KILL -- "$target" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null || true
}

on_exit() {
	local rc=$? name i
	trap - EXIT INT TERM
	# cogconform first: on SIGTERM it deletes the user pool it made, which needs
	# the emulator still running.
	if [[ -n $RUNNER ]] && alive "$RUNNER"; then
		kill -TERM "$RUNNER" 2>/dev/null || true
		for ((i = 0; i < 300; i++)); do
			alive "$RUNNER" || break
			sleep 0.1
		done
		kill -KILL "$RUNNER" 2>/dev/null || true
		wait "$RUNNER" 2>/dev/null || true
	fi
	for name in "${!PIDS[@]}"; do
		stop "$name"
	done
	if ((rc != 0)); then
		for name in "${!LOGS[@]}"; do
			if [[ -s ${LOGS[$name]} ]]; then
				printf '\n--- last 40 lines of the %s log (%s) ---\n' "$name" "${LOGS[$name]}" >&2
				tail -n 40 "${LOGS[$name]}" >&2 || true
			fi
		done
		printf '\ntest-emulators: FAILED (exit %d); reports and logs are kept in %s\n' "$rc" "$OUT" >&2
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
	else
		node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
	fi
}

# wait_ready NAME PID URL: until URL answers 2xx, the server dies, or START_TIMEOUT.
wait_ready() {
	local name=$1 pid=$2 url=$3 deadline=$((SECONDS + START_TIMEOUT))
	while :; do
		if ! alive "$pid"; then
			echo "$name exited during start-up" >&2
			return 1
		fi
		if curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null; then
			return 0
		fi
		if ((SECONDS >= deadline)); then
			echo "$name did not answer $url within ${START_TIMEOUT}s" >&2
			return 1
		fi
		sleep 0.3
	done
}

# launch NAME DIR HEALTH-PATH COMMAND...: start COMMAND in DIR on a free loopback
# port ({PORT} in COMMAND and $PORT in its environment), in a session of its own,
# and wait until HEALTH-PATH answers. A port taken in between is retried.
launch() {
	local name=$1 dir=$2 health=$3 attempt port pid
	shift 3
	mkdir -p "$dir" "$OUT/$name"
	LOGS[$name]=$OUT/$name/emulator.log
	: >"${LOGS[$name]}"
	for attempt in 1 2 3; do
		port=$(free_port)
		local -a cmd=("${@//\{PORT\}/$port}")
		(cd "$dir" && HOST=127.0.0.1 PORT=$port exec setsid "${cmd[@]}") >>"${LOGS[$name]}" 2>&1 </dev/null &
		pid=$!
		PIDS[$name]=$pid
		if wait_ready "$name" "$pid" "http://127.0.0.1:$port$health" 2>>"${LOGS[$name]}"; then
			ENDPOINT=http://127.0.0.1:$port
			say "$name ${VERSIONS[$name]} answers at $ENDPOINT (PID $pid, log ${LOGS[$name]})"
			return 0
		fi
		stop "$name"
		if ! grep -qi 'address already in use' "${LOGS[$name]}"; then
			break
		fi
		say "$name: port $port was taken (attempt $attempt); retrying"
	done
	die "$name did not start; see the log below"
}

# check NAME: run cogconform against ENDPOINT. Exit 0 (conformant) and 1
# (nonconformant) are verdicts the expectations judge; 2 or more is a harness or
# configuration failure.
check() {
	local name=$1 rc=0 v t0=$SECONDS
	local -a clean=()
	# The run is hermetic: no COGCONFORM_* setting of the caller leaks in.
	while IFS= read -r v; do
		clean+=(-u "$v")
	done < <(compgen -e | grep '^COGCONFORM_' || true)
	say "cogconform run --endpoint $ENDPOINT --cases $CASES --seed $SEED ($name)"
	# In the background and waited for, so that a signal to this script is handled
	# at once (bash defers traps until a foreground command ends).
	env "${clean[@]}" "$BIN" run --endpoint "$ENDPOINT" --out "$OUT/$name" --cases "$CASES" --seed "$SEED" \
		--run-timeout "$RUN_TIMEOUT" --progress none </dev/null &
	RUNNER=$!
	wait "$RUNNER" || rc=$?
	RUNNER=
	say "$name: cogconform run exited $rc after $((SECONDS - t0)) s"
	if ((rc > 1)); then
		die "cogconform run against $name exited $rc (2 is a configuration error or an unreachable target)"
	fi
	[[ -s $OUT/$name/results.json ]] || die "cogconform run against $name wrote no results.json"
}

# --- moto -------------------------------------------------------------------

find_moto() {
	local m=${MOTO_SERVER:-}
	if [[ -z $m ]]; then
		m=$(command -v moto_server 2>/dev/null || true)
	fi
	if [[ -z $m && -x ${PYENV_ROOT:-$HOME/.pyenv}/shims/moto_server ]]; then
		m=${PYENV_ROOT:-$HOME/.pyenv}/shims/moto_server
	fi
	if [[ -z $m || ! -x $m ]]; then
		die "moto_server not found (looked at \$MOTO_SERVER, PATH and ~/.pyenv/shims).
  It comes with moto's server extra: pip install 'moto[server]==5.2.1'
  Point MOTO_SERVER at it, or run without it: COGCONFORM_EMULATORS=cognito-local make test-emulators"
	fi
	# A pyenv shim re-resolves on every call; use the script it stands for.
	if grep -q 'pyenv" exec' "$m" 2>/dev/null; then
		local pyenv=${PYENV_ROOT:-$HOME/.pyenv}/libexec/pyenv real
		if real=$(PYENV_ROOT=${PYENV_ROOT:-$HOME/.pyenv} "$pyenv" which moto_server 2>/dev/null) && [[ -x $real ]]; then
			m=$real
		fi
	fi
	MOTO=$m
	local -a py=()
	read -r -a py < <(head -n1 "$m" | sed -n 's/^#![[:space:]]*//p')
	VERSIONS[moto]=$({ ((${#py[@]})) && "${py[@]}" -c 'import moto; print(moto.__version__)'; } 2>/dev/null || echo unknown)
}

run_moto() {
	find_moto
	launch moto "$WORK/moto" /moto-api/ "$MOTO" -H 127.0.0.1 -p '{PORT}'
	check moto
	stop moto
}

# --- cognito-local ----------------------------------------------------------

install_cognito_local() {
	local src=$ROOT/emulators/cognito-local dest=$CACHE/cognito-local want have
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		die "cognito-local needs Node.js and npm (apt-get install nodejs npm), or run without it: COGCONFORM_EMULATORS=moto make test-emulators"
	fi
	want=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -d' ' -f1)
	if [[ -f $dest/.installed && $(cat "$dest/.installed") == "$want" && -f $dest/node_modules/cognito-local/lib/bin/start.js ]]; then
		say "cognito-local: cached install in $dest"
	else
		say "cognito-local: npm ci into $dest (pinned by $src/package-lock.json)"
		rm -rf "$dest"
		mkdir -p "$dest"
		cp "$src/package.json" "$src/package-lock.json" "$dest/"
		if ! (cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --cache "$CACHE/npm") >"$WORK/npm.log" 2>&1; then
			tail -n 40 "$WORK/npm.log" >&2
			die "npm ci of cognito-local failed"
		fi
		echo "$want" >"$dest/.installed"
	fi
	CL_START=$dest/node_modules/cognito-local/lib/bin/start.js
	have=$(node -p 'require(process.argv[1]).version' "$dest/node_modules/cognito-local/package.json")
	want=$(node -p 'require(process.argv[1]).dependencies["cognito-local"]' "$src/package.json")
	[[ $have == "$want" ]] || die "cognito-local $have is installed, $want is pinned"
	VERSIONS[cognito-local]=$have
}

run_cognito_local() {
	install_cognito_local
	# cognito-local keeps its data in .cognito/ under its working folder. Its default
	# config makes every pool take e-mail addresses as user names; AWS does that only
	# when CreateUserPool asks for it, so the config sets AWS's default.
	mkdir -p "$WORK/cognito-local/.cognito"
	cp "$ROOT/emulators/cognito-local/config.json" "$WORK/cognito-local/.cognito/config.json"
	launch cognito-local "$WORK/cognito-local" /health node "$CL_START"
	check cognito-local
	stop cognito-local
}

# --- main -------------------------------------------------------------------

command -v curl >/dev/null 2>&1 || die "curl is needed to wait for the emulators (apt-get install curl)"
command -v setsid >/dev/null 2>&1 || die "setsid (util-linux) is needed to start the emulators in sessions of their own"
IFS=, read -r -a selected <<<"$EMULATORS"
for name in "${selected[@]}"; do
	[[ $name == moto || $name == cognito-local ]] || die "COGCONFORM_EMULATORS: unknown emulator $name (moto, cognito-local)"
done

started=$SECONDS
# Only what this script writes: COGCONFORM_EMULATORS_OUT may name any folder.
for name in "${selected[@]}"; do
	rm -rf "${OUT:?}/$name"
done
rm -f "$OUT/closing-note.txt"
mkdir -p "$OUT"
say "building $BIN"
mkdir -p "$(dirname "$BIN")"
"$GO" build -o "$BIN" ./cmd/cogconform

for name in "${selected[@]}"; do
	case $name in
	moto) run_moto ;;
	cognito-local) run_cognito_local ;;
	esac
done

say "comparing the verdicts with emulators/testdata/"
COGCONFORM_EMULATORS_DIR=$OUT COGCONFORM_EMULATORS=$EMULATORS \
	COGCONFORM_EMULATOR_VERSION_MOTO=${VERSIONS[moto]:-} \
	COGCONFORM_EMULATOR_VERSION_COGNITO_LOCAL=${VERSIONS[cognito-local]:-} \
	"$GO" test -count=1 -v -run '^TestEmulators$' ./emulators

say "closing note ($((SECONDS - started)) s):"
cat "$OUT/closing-note.txt"
