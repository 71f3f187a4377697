#!/usr/bin/env bash
# Builds the reference memcached image for the integration suite without a
# registry: a FROM-scratch image holding Debian's /usr/bin/memcached and exactly
# the shared libraries it links against. Nothing is pulled, so this works on
# machines that reach only the Debian and npm package mirrors.
#
# Prints the image tag on the last line of stdout.
set -euo pipefail

MEMCACHED_BIN="${MEMCACHED_BIN:-/usr/bin/memcached}"
if [[ ! -x "$MEMCACHED_BIN" ]]; then
  echo "build-test-images: $MEMCACHED_BIN not found: apt-get install -y memcached" >&2
  exit 1
fi
if ! command -v docker >/dev/null 2>&1; then
  echo "build-test-images: docker CLI not found: apt-get install -y docker.io" >&2
  exit 1
fi

# "memcached 1.6.18" -> "1.6.18"
version="$("$MEMCACHED_BIN" -V | awk '{print $2}')"
tag="rat-memcache-test/memcached:${version}"

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT

mkdir -p "$ctx/rootfs/usr/bin" "$ctx/rootfs/tmp"
cp "$MEMCACHED_BIN" "$ctx/rootfs/usr/bin/memcached"

# Every "/path" ldd prints: the libraries ("lib => /path (addr)") and the
# dynamic loader ("/lib64/ld-linux-x86-64.so.2 (addr)"). linux-vdso has no path.
# cp -L keeps the path the binary asks for but stores the real file behind
# Debian's symlinks.
while read -r lib; do
  mkdir -p "$ctx/rootfs$(dirname "$lib")"
  cp -L "$lib" "$ctx/rootfs$lib"
done < <(ldd "$MEMCACHED_BIN" | grep -o '/[^ ]*' | sort -u)

# memcached refuses to start as root without -u and resolving -u needs
# /etc/passwd; running as nobody (like the official image's unprivileged user)
# avoids both, so the same command line works for this image and memcached:1.6.
printf 'root:x:0:0:root:/:/nonexistent\nnobody:x:65534:65534:nobody:/:/nonexistent\n' > "$ctx/rootfs/etc-passwd"
mkdir -p "$ctx/rootfs/etc"
mv "$ctx/rootfs/etc-passwd" "$ctx/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$ctx/rootfs/etc/group"

cat > "$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/bin
USER 65534:65534
EXPOSE 11211
CMD ["memcached"]
DOCKERFILE

# --pull=false (default for FROM scratch, stated for clarity): no registry.
DOCKER_BUILDKIT=0 docker build --quiet -t "$tag" "$ctx" >&2
echo "$tag"
