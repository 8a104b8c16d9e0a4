#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [TARGET...] - run the libFuzzer targets (one per input dialect) one
# after the other, each for SECONDS (default 600), seeded with the shipped examples of its
# dialect and a dictionary of its keys (from schemas/). Prints the exec count of each run and
# keeps libFuzzer's log in fuzz/logs/TARGET.log. Exit 1 if any run found a crash (the input is
# in fuzz/artifacts/TARGET/). Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a
# nightly toolchain, or RUSTC_BOOTSTRAP=1 with the stable one.
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(aliyun_connection aliyun_ipsec_server neutron zstack native)
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi
declare -A examples=(
  [aliyun_connection]=aliyun [aliyun_ipsec_server]=aliyun-ipsec-server
  [neutron]=neutron [zstack]=zstack [native]=native
)
declare -A schema=(
  [aliyun_connection]=aliyun-connection [aliyun_ipsec_server]=aliyun-ipsec-server
  [neutron]=neutron [zstack]=zstack [native]=native
)
mkdir -p logs dict
# Build every target first, so the runs use one build of the code however long they take.
for t in "${targets[@]}"; do
  "${fuzz[@]}" build -O "$t" >/dev/null 2>&1 || { echo "$t: build failed"; exit 2; }
done
bin=target/x86_64-unknown-linux-gnu/release
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  cp ../examples/"${examples[$t]}"/* "corpus/$t/"
  # Every key and enumerated value the dialect's schema names, as libFuzzer dictionary entries.
  python3 - "../schemas/${schema[$t]}.json" >"dict/$t.dict" <<'PY'
import json, sys
words = set()
def walk(n):
    if isinstance(n, dict):
        for k, v in n.items():
            if k == "properties" and isinstance(v, dict):
                words.update(v.keys())
            if k == "enum" and isinstance(v, list):
                words.update(str(x) for x in v)
            walk(v)
    elif isinstance(n, list):
        for x in n:
            walk(x)
walk(json.load(open(sys.argv[1])))
for w in sorted(words):
    print(json.dumps(w))
PY
  mkdir -p "artifacts/$t"
  "$bin/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" -max_total_time="$secs" -rss_limit_mb=2048 \
    -max_len=65536 -dict="dict/$t.dict" -print_final_stats=1 >"logs/$t.log" 2>&1
  rc=$?
  runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "logs/$t.log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "logs/$t.log" | tail -1)
  if [[ $rc -eq 0 ]]; then
    echo "$t: ${runs:-no summary} (${cov:-?}), no crash"
  else
    echo "$t: FAILED (exit $rc), see fuzz/logs/$t.log and fuzz/artifacts/$t/"
    status=1
  fi
done
exit "$status"
