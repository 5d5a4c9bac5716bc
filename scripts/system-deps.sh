#!/usr/bin/env bash
# Install the real components the tests use (Debian packages), when missing and when apt is
# available. Tests that need a component skip, with the reason, only if it cannot be had.
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
LIST
[ ${#need[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "system-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || echo "system-deps: could not install ${need[*]}; the tests that need them will skip" >&2
else
  echo "system-deps: missing ${need[*]} and no apt-get as root; the tests that need them will skip" >&2
fi
exit 0
