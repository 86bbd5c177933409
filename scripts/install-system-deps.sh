#!/usr/bin/env bash
# Installs the system tools perfcoder needs (g++, gcc, valgrind, bubblewrap; numpy and pandas for the
# sandbox's /usr/bin/python3, which library tasks such as PandasEval import) when they are missing.
# Without root it cannot install: it says so and perfcoder falls back where it can (rlimit-only sandbox).
set -euo pipefail
declare -A pkg_of=([g++]=g++ [gcc]=gcc [valgrind]=valgrind [bwrap]=bubblewrap [prlimit]=util-linux)
missing=()
for tool in g++ gcc valgrind bwrap prlimit; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("${pkg_of[$tool]}")
done
for module in numpy pandas; do
    /usr/bin/python3 -c "import $module" >/dev/null 2>&1 || missing+=("python3-$module")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "WARNING: missing system packages: ${missing[*]} (cannot install: not root or no apt-get)." >&2
    echo "WARNING: without bubblewrap perfcoder runs untrusted code with rlimits only (no isolation)." >&2
    exit 0
fi
echo "installing system packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
