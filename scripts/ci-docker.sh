#!/usr/bin/env bash
# Prepares the reference memcached for the integration suite on a CI or
# developer machine that reaches only Debian's and npm's package mirrors:
#   1. installs Debian's docker.io and memcached if missing,
#   2. starts dockerd (no bridge, no iptables: the suite uses host networking)
#      if no daemon answers, logging to $RATTEST_DOCKERD_LOG,
#   3. builds the FROM-scratch reference image (scripts/build-test-images.sh).
#
# Use either way:
#   eval "$(bash scripts/ci-docker.sh)"    # prints export lines on stdout
#   source scripts/ci-docker.sh            # exports into the current shell
# Progress goes to stderr. Exit status is non-zero, and nothing is exported,
# when Docker cannot be made to work; callers may then fall back to
# MEMCACHED_REFERENCE=local.

rat_ci_docker() {
  local here log tag i
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  log="${RATTEST_DOCKERD_LOG:-/tmp/rat-dockerd.log}"

  local missing=()
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  [[ -x /usr/bin/memcached ]] || missing+=(memcached)
  if ((${#missing[@]} > 0)); then
    echo "ci-docker: installing ${missing[*]}" >&2
    local sudo=()
    [[ "$(id -u)" == 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >&2 || return 1
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
      $(printf '%s\n' "${missing[@]}" | sort -u) >&2 || return 1
  fi

  if ! docker info >/dev/null 2>&1; then
    echo "ci-docker: no Docker daemon answers; starting dockerd (log: $log)" >&2
    # setsid: the daemon outlives this script and is not in its process group.
    setsid dockerd --bridge=none --iptables=false >"$log" 2>&1 < /dev/null &
    for i in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      sleep 1
    done
    if ! docker info >/dev/null 2>&1; then
      echo "ci-docker: dockerd did not come up within 60 s; last lines of $log:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
  fi

  tag="$(bash "$here/build-test-images.sh" | tail -n 1)" || return 1
  [[ -n "$tag" ]] || return 1
  echo "ci-docker: reference image $tag ready" >&2

  export MEMCACHED_IMAGE="$tag" TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
  echo "export MEMCACHED_IMAGE=$tag TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -uo pipefail
  rat_ci_docker
  exit $?
else
  rat_ci_docker
fi
