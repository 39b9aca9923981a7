#!/usr/bin/env bash
# Smoke-test a built bundle the way a user runs it: from an empty folder, with a clean environment (no PYTHONPATH,
# no venv, user folders in a temporary place), needing nothing on the machine but the bundle, bash and awk.
#
#   packaging/check-bundle.sh dist/inspiration      # the onedir folder (or dist/, the folder above it)
#
# Steps: --version, doctor, a tiny train (debug preset, 3 steps on a 1 s tone), generate (0.1 s), render of a
# one-clip project, and a GUI launch (offscreen Qt platform, must still be running after GUI_SECONDS, default 15,
# with no traceback in its output or its log file). Prints PASS/FAIL per step; the exit status is the number of
# failed steps. The temporary folder is removed when everything passes (KEEP=1 keeps it), kept otherwise.
set -uo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DIST_DIR  (the folder holding the inspiration executable, e.g. dist/inspiration)" >&2
    exit 64
fi
dist=$(cd "$1" && pwd) || exit 64
[[ -x $dist/inspiration && ! -d $dist/inspiration ]] || dist=$dist/inspiration
exe=$dist/inspiration
if [[ ! -x $exe || -d $exe ]]; then
    echo "error: no inspiration executable in $1" >&2
    exit 64
fi
gui_seconds=${GUI_SECONDS:-15}
step_timeout=${STEP_TIMEOUT:-600}

work=$(mktemp -d "${TMPDIR:-/tmp}/inspiration-check.XXXXXX")
cd "$work" || exit 1
mkdir -p home state data config cache tmp

# The clean environment every step runs in. XDG_STATE_HOME puts platformdirs' user_log_dir (the GUI's log) here.
clean_env=(
    env -i
    HOME="$work/home"
    PATH=/usr/local/bin:/usr/bin:/bin
    LANG=C.UTF-8
    TMPDIR="$work/tmp"
    XDG_STATE_HOME="$work/state"
    XDG_DATA_HOME="$work/data"
    XDG_CONFIG_HOME="$work/config"
    XDG_CACHE_HOME="$work/cache"
)
log_file=$work/state/inspiration/log/inspiration.log

results=()
failures=0

record() {  # record NAME STATUS SECONDS [NOTE]
    local line
    line=$(printf '%-8s %-4s %5ss  %s' "$1" "$2" "$3" "${4:-}")
    results+=("$line")
    [[ $2 == PASS ]] || failures=$((failures + 1))
    echo "-- $line"
}

# run NAME COMMAND...: the command in the clean environment, its output shown indented and kept in NAME.out.
run() {
    local name=$1
    shift
    echo "== $name: inspiration $*"
    local t0=$SECONDS
    timeout "$step_timeout" "${clean_env[@]}" "$exe" "$@" >"$name.out" 2>&1
    local rc=$?
    sed 's/^/   | /' "$name.out"
    last_rc=$rc
    last_seconds=$((SECONDS - t0))
}

# A 1 s, 16 kHz, 16-bit mono WAV of a 440 Hz tone, written with awk (no Python needed on the test machine).
write_tone() {
    LC_ALL=C awk -v rate=16000 -v seconds=1 -v freq=440 '
        function le(value, bytes,    i) {  # little-endian integer
            for (i = 0; i < bytes; i++) { printf "%c", value % 256; value = int(value / 256) }
        }
        BEGIN {
            n = rate * seconds; size = n * 2
            printf "RIFF"; le(36 + size, 4); printf "WAVEfmt "; le(16, 4)
            le(1, 2); le(1, 2); le(rate, 4); le(rate * 2, 4); le(2, 2); le(16, 2)
            printf "data"; le(size, 4)
            for (i = 0; i < n; i++) {
                v = int(0.5 * 32767 * sin(2 * 3.141592653589793 * freq * i / rate))
                if (v < 0) v += 65536
                le(v, 2)
            }
        }' >"$1"
}

echo "checking $exe in $work"

# 1. --version
run version --version
if [[ $last_rc -eq 0 ]] && grep -q '^inspiration [0-9]' version.out; then
    record version PASS "$last_seconds" "$(head -1 version.out)"
else
    record version FAIL "$last_seconds" "exit $last_rc"
fi

# 2. doctor: must run, and torch and soundfile must load (PortAudio being absent only turns playback off: noted).
run doctor doctor
if [[ $last_rc -ne 0 ]]; then
    record doctor FAIL "$last_seconds" "exit $last_rc"
elif grep -q 'cannot be imported\|cannot be loaded' doctor.out; then
    record doctor FAIL "$last_seconds" "$(grep -m1 'cannot be' doctor.out | sed 's/^ *//')"
else
    note=$(grep -m1 '^  build' doctor.out | sed 's/^ *build *//')
    grep -q 'PortAudio library is missing' doctor.out && note="$note; no PortAudio (playback off)"
    record doctor PASS "$last_seconds" "$note"
fi

# 3. train: the debug preset for 3 steps on the tone.
mkdir -p audio
write_tone audio/tone.wav
run train train audio --preset debug --steps 3 --name tone --models-dir models
if [[ $last_rc -eq 0 && -f models/tone/best.safetensors ]]; then
    record train PASS "$last_seconds" "models/tone/best.safetensors"
else
    record train FAIL "$last_seconds" "exit $last_rc"
fi

# 4. generate: 0.1 s into the clip library ./library.
run generate generate models/tone --seconds 0.1 --seed 1 --out library
clip=$(cd library/clips 2>/dev/null && ls -- *.wav 2>/dev/null | head -1)
if [[ $last_rc -eq 0 && -n $clip ]]; then
    record generate PASS "$last_seconds" "library/clips/$clip"
else
    record generate FAIL "$last_seconds" "exit $last_rc"
fi

# 5. render: a one-clip project to WAV.
cat >piece.inspiration <<EOF
{"format": "inspiration-project", "version": 1, "sample_rate": 48000, "channels": 2,
 "tracks": [{"name": "A", "clips": [{"source": {"path": "library/clips/${clip:-missing.wav}"}, "start": 0.0}]}]}
EOF
run render render piece.inspiration --out piece.wav
if [[ $last_rc -eq 0 && -s piece.wav ]]; then
    record render PASS "$last_seconds" "piece.wav, $(wc -c <piece.wav) bytes"
else
    record render FAIL "$last_seconds" "exit $last_rc"
fi

# 6. gui: start it offscreen, it must still be running after $gui_seconds s, with no traceback anywhere.
echo "== gui: QT_QPA_PLATFORM=offscreen inspiration gui (for ${gui_seconds} s)"
t0=$SECONDS
"${clean_env[@]}" QT_QPA_PLATFORM=offscreen "$exe" gui >gui.out 2>&1 &
gui_pid=$!
for ((i = 0; i < gui_seconds; i++)); do
    kill -0 "$gui_pid" 2>/dev/null || break
    sleep 1
done
if kill -0 "$gui_pid" 2>/dev/null; then
    alive=yes
    kill -TERM "$gui_pid" 2>/dev/null
    for ((i = 0; i < 10; i++)); do kill -0 "$gui_pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$gui_pid" 2>/dev/null && kill -KILL "$gui_pid" 2>/dev/null
    wait "$gui_pid" 2>/dev/null
    gui_rc=running
else
    alive=no
    wait "$gui_pid"
    gui_rc=$?
fi
gui_seconds_taken=$((SECONDS - t0))
sed 's/^/   | /' gui.out
if [[ -f $log_file ]]; then
    echo "   log $log_file:"
    sed 's/^/   | /' "$log_file"
else
    echo "   (no log file at $log_file)"
fi
if [[ $alive != yes ]]; then
    record gui FAIL "$gui_seconds_taken" \
        "exited (status $gui_rc) before ${gui_seconds} s: $(grep -m1 -i 'error' gui.out)"
elif grep -q 'Traceback' gui.out "$log_file" 2>/dev/null; then
    record gui FAIL "$gui_seconds_taken" "ran, but a traceback was logged"
else
    record gui PASS "$gui_seconds_taken" "still running after ${gui_seconds} s, no traceback"
fi

echo
echo "bundle: $dist"
printf '%s\n' "${results[@]}"
if [[ $failures -eq 0 && ${KEEP:-0} != 1 ]]; then
    cd / && rm -rf "$work"
else
    echo "files kept in $work"
fi
echo "$failures step(s) failed"
exit "$failures"
