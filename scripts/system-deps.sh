#!/usr/bin/env bash
# Install the real components the tests use (Debian packages), when missing and when apt is
# available (as root, or through passwordless sudo). Each package is installed on its own,
# so one that a distribution lacks does not keep the others out. Tests that need a component
# skip, with the reason, only if it cannot be had (the Redis and Chromium tests fail instead
# under CI). Chromium and chromedriver open the HTML reports (tests/render/html).
# Each line of LIST: <debian package> <command that proves it is there, or - for dpkg -s>.
set -u
need=()
while read -r pkg cmd; do
  [ -z "$pkg" ] && continue
  if [ "$cmd" = "-" ]; then
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  else
    command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
  fi
done <<'LIST'
redis-server redis-server
hashcat hashcat
pocl-opencl-icd -
ocl-icd-libopencl1 -
chromium chromium
chromium-driver chromedriver
nodejs node
npm npm
tcpdump tcpdump
tshark tshark
LIST
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${need[*]} and no apt-get; the tests that need them will skip" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "system-deps: missing ${need[*]}; not root and no passwordless sudo" >&2
  exit 0
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark's wireshark-common asks whether non-root users may capture: answer no, unasked.
echo "wireshark-common wireshark-common/install-setuid boolean false" \
  | "${as_root[@]}" debconf-set-selections 2>/dev/null || true
"${as_root[@]}" apt-get update -qq >/dev/null 2>&1 || true
for pkg in "${need[@]}"; do
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1 \
    || echo "system-deps: could not install $pkg; the tests that need it will skip" >&2
done
exit 0
