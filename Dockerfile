# vault-chatops: the Slack bot, health checks and backup scheduler in one process.
#   docker build -t vault-chatops .
#   docker run --init -v vc-data:/data --env-file vault-chatops.env -p 3000:3000 vault-chatops
# (--init gives the process a real PID 1 so SIGTERM reaches it promptly.)

# Node 26: the Active LTS line since October 2026 and the newest line CI tests (.ci/run runs 22 and 26).
# Any supported line works (package.json engines: >=22); e.g. --build-arg NODE_IMAGE=node:22-bookworm-slim.
ARG NODE_IMAGE=node:26-bookworm-slim

# ---- build: compile TypeScript; better-sqlite3 13 ships prebuilt binaries, the toolchain is the
#      fallback for platforms it has none for ----
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# `npm ci` runs the `prepare` script (tsc), so the sources must be present first.
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci \
 && npm prune --omit=dev

# ---- runtime: compiled code and production dependencies only ----
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000
WORKDIR /app
# Code stays owned by root, read-only for the service user; only /data is writable.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY migrations ./migrations
COPY scripts ./scripts
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:${PORT:-3000}/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# The two V8 options keep a backup or restore inside its memory bound; see "Memory" in the README.
CMD ["node", "--max-semi-space-size=1", "--no-incremental-marking", "bin/vault-chatops.js", "start"]
