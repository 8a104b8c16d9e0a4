#!/usr/bin/env bash
# packaging/build-dist.sh - build the ipsecgen that is shipped (packaging/build-deb.sh packages it).
#
#   bash packaging/build-dist.sh      # prints the path of the binary on its last line
#
# The `dist` profile of Cargo.toml (the release profile with fat LTO and one codegen unit) and,
# on a glibc Linux host, static linking (`crt-static`: a static-pie, so ASLR is kept). A static
# binary loads no shared library at start: a one-file `render` as a whole process takes about
# 0.3 ms less (README, Performance). crt-static needs `--target` (proc-macros cannot be linked
# statically, and without --target RUSTFLAGS reach them too), so the binary is in
# target/HOST/dist/. ipsecgen resolves no host or user names, the glibc functions that a static
# binary cannot serve (NSS, iconv modules). Exit codes: 0 ok, 1 build failed.
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
[[ -n $host ]] || { echo "build-dist: rustc -vV names no host" >&2; exit 1; }
case $host in
    *-linux-gnu*) export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }-C target-feature=+crt-static" ;;
esac
cargo build --profile dist --locked --target "$host" --bin ipsecgen >&2 ||
    { echo "build-dist: cargo build failed" >&2; exit 1; }
echo "${CARGO_TARGET_DIR:-target}/$host/dist/ipsecgen"
