#!/usr/bin/env bash
# Builds the repository's Dockerfile (the one for users with registry access)
# on a machine that reaches no container registry: the official node:20-slim
# base is replaced by a stand-in assembled from this machine's own node, npm,
# /bin/sh, mkdir and chown and the libraries they link against (passed to the
# Dockerfile as NODE_IMAGE). Every other line of the Dockerfile runs as written,
# `npm ci` included (it needs the npm registry, as `.ci/run` does).
#
# Prints the image tag on the last line of stdout; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker >/dev/null 2>&1; then
  echo "build-dockerfile-image: docker CLI not found: apt-get install -y docker.io (scripts/ci-docker.sh starts dockerd)" >&2
  exit 1
fi

version="$(node -p 'require("./package.json").version')"
base="rat-memcache-test/node-standin:20"
tag="${IMAGE_TAG:-rat-memcache-test/rat-memcached-dockerfile:${version}}"

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/usr/bin" "$root/usr/lib" "$root/bin" "$root/tmp" "$root/etc" "$root/root" "$root/home/node"

node_bin="$(node -p 'process.execPath')"
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
cp -L "$node_bin" "$root/usr/bin/node"
mkdir -p "$root/usr/lib/node_modules"
cp -a "$npm_dir" "$root/usr/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
# What the Dockerfile's RUN lines call besides node and npm (env: npm's shebang).
tools=(sh env mkdir chown)
for t in "${tools[@]}"; do cp -L "$(command -v "$t")" "$root/usr/bin/$t"; done
ln -s /usr/bin/sh "$root/bin/sh"
{
  for b in "$node_bin" "${tools[@]}"; do ldd "$(command -v "$b")" | grep -o '/[^ ]*' || true; done
} | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

# The official image's users; its "node" user is uid 1000.
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"

# npm inside the build trusts what this machine trusts (some networks intercept
# TLS with their own CA) and uses this machine's registry.
env_line="ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_VERSION=20 npm_config_registry=$(npm config get registry)"
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  mkdir -p "$root/etc/ssl/certs"
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  env_line+=" NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_cafile=/etc/ssl/certs/ca-certificates.crt"
fi
printf 'FROM scratch\nCOPY rootfs/ /\n%s\nCMD ["node"]\n' "$env_line" > "$ctx/Dockerfile"
DOCKER_BUILDKIT=0 docker build --quiet -t "$base" "$ctx" >&2

# The repository's Dockerfile, unchanged but for its base. Host networking:
# scripts/ci-docker.sh starts dockerd without a bridge.
DOCKER_BUILDKIT=0 docker build --quiet --network host --build-arg "NODE_IMAGE=$base" -t "$tag" . >&2
echo "$tag"
