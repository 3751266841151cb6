# syntax=docker/dockerfile:1
#
# The driftwatch image (docs/deploy.md, "Docker"):
#   docker build -t driftwatch:0.1.0 .
#   docker run --read-only -p 9874:9874 \
#     -v "$PWD/driftwatch.yaml:/etc/driftwatch/driftwatch.yaml:ro" \
#     -v driftwatch-state:/var/lib/driftwatch driftwatch:0.1.0
#
# No Docker engine runs in CI: test/integration/dockerfile.test.ts executes these steps in a
# temporary directory as a shell would and starts the result, so a broken step fails the tests.

# One pinned base for both stages: Node 20 LTS on Debian 12, by full version.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# npm reads the lockfile. npm 11 refuses it in `npm ci` (the lock holds only the build
# machine's optional native packages of rollup and esbuild, dev tools) while npm 10.8.2
# installs from it as locked, so the npm that runs `npm ci` is pinned here rather than left
# to whatever the base image bundles.
ARG NPM_VERSION=10.8.2

# ---- build: compile TypeScript with the dev dependencies ----
FROM ${NODE_IMAGE} AS build
ARG NPM_VERSION
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npx --yes "npm@${NPM_VERSION}" ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- run: the compiled output and the production dependencies only ----
FROM ${NODE_IMAGE} AS run
ARG NODE_IMAGE
ARG NPM_VERSION
ARG DRIFTWATCH_VERSION=0.1.0
LABEL org.opencontainers.image.title="driftwatch" \
      org.opencontainers.image.description="Watches machine-learning models in production: serving metrics, feature drift and alerts to their owners, from Kafka prediction events." \
      org.opencontainers.image.version="${DRIFTWATCH_VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/${NODE_IMAGE}"
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npx --yes "npm@${NPM_VERSION}" ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
# The commented reference of every key, beside the place the real configuration is mounted.
COPY config/driftwatch.example.yaml /etc/driftwatch/driftwatch.example.yaml

# A fixed numeric UID/GID, so that runAsNonRoot can verify it and volumes can be owned by it.
RUN groupadd --system --gid 10001 driftwatch \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin driftwatch
# The state directory is the only place driftwatch writes (checkpoints, alert and
# notification state): a volume, so the root file system can be read-only.
RUN mkdir -p /var/lib/driftwatch && chown 10001:10001 /var/lib/driftwatch
VOLUME ["/var/lib/driftwatch"]
USER 10001:10001
# Relative paths in the configuration (the default state.directory, ./state) land in the volume.
WORKDIR /var/lib/driftwatch

# /metrics, /healthz, /readyz and the status API (server.port). Set DRIFTWATCH_PORT when the
# configuration listens elsewhere (`port: ${DRIFTWATCH_PORT:-9874}`): the health check reads it.
EXPOSE 9874
# Slim images have no curl; Node's fetch does the request.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.DRIFTWATCH_PORT||9874)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# SIGTERM (docker stop) ends driftwatch within 10 s: it commits the batch in hand and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["run", "--config", "/etc/driftwatch/driftwatch.yaml"]
