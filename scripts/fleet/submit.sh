#!/usr/bin/env bash
# Runs elubench over Slurm: one array task per node or GPU on each target, results into a shared
# folder, then a merge job (after every task, whatever its end) that writes one report comparing
# the devices side by side and lists every task that failed, timed out or never ran.
#
#   scripts/fleet/submit.sh --out /shared/elubench-run (--bundle dist/elubench-*.tar.gz | --binary PATH)
#        --target PARTITION[:GRES] [--target ...] [--tasks N] [--time HH:MM:SS] [--no-merge]
#        [--sbatch-arg ARG ...] [-- ELUBENCH FLAGS]
#
#   --target gpu-a100:gpu:a100:1   partition gpu-a100, one A100 per task (GRES as sbatch --gres)
#   --target cpu                   partition cpu, no GRES
#   --tasks N                      array tasks per target (default 1): N nodes or N GPUs
#   --sbatch-arg ARG               passed to every sbatch of the arrays (e.g. --exclusive, --account=X)
# The out folder must be visible from every node (and from here). Several submissions may share
# it: the manifest lists every job, and the merge step waits for all of them.
# Exit: 0 submitted (prints the job ids and where the report will be), 2 bad usage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
usage() { echo "submit.sh: error: $1 (see the header of scripts/fleet/submit.sh)" >&2; exit 2; }

out="" bundle="" binary="" tasks=1 time_limit="00:30:00" merge=1
targets=() sbatch_args=() eb_args=()
while (($#)); do
  case $1 in
    --out) out=${2:?}; shift 2 ;;
    --bundle) bundle=${2:?}; shift 2 ;;
    --binary) binary=${2:?}; shift 2 ;;
    --target) targets+=("${2:?}"); shift 2 ;;
    --tasks) tasks=${2:?}; shift 2 ;;
    --time) time_limit=${2:?}; shift 2 ;;
    --no-merge) merge=0; shift ;;
    --sbatch-arg) sbatch_args+=("${2:?}"); shift 2 ;;
    --) shift; eb_args=("$@"); break ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
[ -n "$out" ] || usage "--out is required"
[ -n "$bundle$binary" ] || usage "one of --bundle or --binary is required"
[ -z "$bundle" ] || [ -z "$binary" ] || usage "--bundle and --binary exclude each other"
[ -z "$bundle" ] || [ -f "$bundle" ] || usage "no bundle at $bundle"
[ -z "$binary" ] || [ -x "$binary" ] || usage "no executable at $binary"
((${#targets[@]})) || usage "at least one --target is required"
for target in "${targets[@]}"; do  # partition and GRES names: also what the manifest's JSON can hold unescaped
  [[ $target =~ ^[A-Za-z0-9_.,:=+-]+$ ]] || usage "--target '$target' is not PARTITION[:GRES] (letters, digits, _ . , : = + -)"
done
[[ $tasks =~ ^[1-9][0-9]*$ ]] || usage "--tasks must be a positive integer, got '$tasks'"
command -v sbatch >/dev/null || usage "sbatch not found (is this a Slurm login node?)"
case " ${eb_args[*]} " in *" --out "*|*" -o "*) usage "the elubench flags must not set --out (each task names its own file)";; esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -z "$bundle" ] || bundle=$(cd "$(dirname "$bundle")" && pwd)/$(basename "$bundle")
[ -z "$binary" ] || binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
python=${PYTHON:-$([ -x "$root/.venv/bin/python" ] && echo "$root/.venv/bin/python" || echo python3)}

jobs=()
for target in "${targets[@]}"; do
  partition=${target%%:*}
  gres=""; [[ $target == *:* ]] && gres=${target#*:}
  args=(--parsable --partition="$partition" --array="0-$((tasks - 1))" --time="$time_limit"
        --chdir="$out" --export="ALL,FLEET_OUT=$out,FLEET_BUNDLE=$bundle,FLEET_BINARY=$binary,FLEET_TARGET=$target")
  [ -z "$gres" ] || args+=(--gres="$gres")
  # FLEET_ARGS travels in the environment (not --export, whose commas would split it).
  job=$(FLEET_ARGS="${eb_args[*]@Q}" sbatch "${args[@]}" "${sbatch_args[@]}" "$here/task.sbatch")
  job=${job%%;*}
  jobs+=("$job")
  # The manifest is what merge.py expects to find: every task of every array.
  printf '{"job": "%s", "target": "%s", "tasks": %d, "submitted": "%s"}\n' "$job" "$target" "$tasks" "$(date -u +%FT%TZ)" >> "$out/manifest.jsonl"
  echo "submitted job $job: $tasks task(s) on $target"
done

if ((merge)); then
  all=$(sed -n 's/.*"job": "\([0-9]*\)".*/\1/p' "$out/manifest.jsonl" | sort -u | paste -sd:)
  # afterany: the merge runs whatever the tasks' ends were, so failures are reported, not hidden.
  mjob=$(sbatch --parsable --job-name=elubench-merge --dependency="afterany:$all" --kill-on-invalid-dep=no \
         --partition="${targets[0]%%:*}" --time=00:10:00 --chdir="$out" --output="$out/merge.log" \
         --wrap="$(printf '%q ' "$python" "$here/merge.py" "$out")")
  echo "merge job ${mjob%%;*}: writes $out/report.html and $out/fleet.md"
fi
