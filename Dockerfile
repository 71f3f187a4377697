# rat-memcached for users with registry access (docs/deployment.md).
# CI reaches no registry: scripts/build-dockerfile-image.sh builds this file on a
# stand-in for node:20-slim (NODE_IMAGE), and scripts/build-image.sh builds the
# equivalent image FROM scratch.
ARG NODE_IMAGE=node:20-slim
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# npm run build: tsc, then the server entry bundled into one file (ADR 0018).
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    RAT_SERVER_HOST=0.0.0.0 \
    RAT_L2_DATA_DIR=/data \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/config ./config
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
# The image's "node" user (uid 1000) owns the data volume; the server never runs as root.
RUN mkdir /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 11211
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "/app/dist/src/infrastructure/healthcheck.js"]
# memcached-style flags are the command, as with the official memcached image:
#   docker run rat-memcache -m 256 -c 4096
# MALLOC_ARENA_MAX and --v8-pool-size: bin/rat-memcached's process-start settings (ADR 0023).
ENTRYPOINT ["node", "--v8-pool-size=1", "/app/dist/src/infrastructure/cli.js"]
CMD []
