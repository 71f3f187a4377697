#!/usr/bin/env bash
# Builds the rat-memcached container image without a registry: FROM scratch,
# holding this machine's node binary, exactly the shared libraries it links
# against, and the built server with its production packages. The image
# behaves as the Dockerfile's (same user, volume, port, entrypoint, health
# check); docs/deployment.md. Needs `npm ci && npm run build` first.
#
# Prints the image tag on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -f dist/src/infrastructure/cli.js ]]; then
  echo "build-image: dist/ is missing: run npm ci && npm run build first" >&2
  exit 1
fi
if ! command -v docker >/dev/null 2>&1; then
  echo "build-image: docker CLI not found: apt-get install -y docker.io (scripts/ci-docker.sh starts dockerd)" >&2
  exit 1
fi

node_bin="$(node -p 'process.execPath')"
version="$(node -p 'require("./package.json").version')"
tag="${IMAGE_TAG:-rat-memcache-test/rat-memcached:${version}}"

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/usr/bin" "$root/tmp" "$root/etc" "$root/app/dist" "$ctx/data"

cp -L "$node_bin" "$root/usr/bin/node"
# Every "/path" ldd prints for node and for the native addons it loads (LevelDB's classic-level).
libs() { ldd "$1" | grep -o '/[^ ]*' || true; }
{
  libs "$node_bin"
  find node_modules -name '*.node' -path '*linux-x64*' -print0 | while IFS= read -r -d '' addon; do libs "$addon"; done
} | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

# The application: package.json, presets, the compiled server, production packages only.
cp package.json package-lock.json "$root/app/"
cp -r config "$root/app/config"
cp -r dist/src "$root/app/dist/src"
cp -r node_modules "$root/app/node_modules"
(cd "$root/app" && npm prune --omit=dev --offline --no-audit --no-fund >/dev/null 2>&1) || {
  echo "build-image: npm prune --omit=dev failed in the image copy" >&2
  exit 1
}
rm -f "$root/app/package-lock.json"

# uid 1000 "node", as in the official node image the Dockerfile builds on.
printf 'root:x:0:0:root:/:/nonexistent\nnode:x:1000:1000:node:/app:/nonexistent\nnobody:x:65534:65534:nobody:/:/nonexistent\n' > "$root/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"

cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
COPY --chown=1000:1000 data/ /data/
ENV PATH=/usr/bin NODE_ENV=production RAT_SERVER_HOST=0.0.0.0 RAT_L2_DATA_DIR=/data MALLOC_ARENA_MAX=2
WORKDIR /app
USER 1000:1000
VOLUME /data
EXPOSE 11211
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["node", "/app/dist/src/infrastructure/healthcheck.js"]
ENTRYPOINT ["node", "--v8-pool-size=1", "/app/dist/src/infrastructure/cli.js"]
CMD []
DOCKERFILE

# No FROM image to pull: nothing reaches a registry.
DOCKER_BUILDKIT=0 docker build --quiet -t "$tag" "$ctx" >&2
echo "$tag"
