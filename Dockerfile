# syntax=docker/dockerfile:1
# The CamDigiKey release image: one image, every role (SERVER_ROLE=web|worker|all).
#   docker build -t camdigikey .
#   docker run --read-only --tmpfs /tmp -e SERVER_ROLE=web --env-file secrets.env camdigikey
# Stage 1 builds the release (the server compiled by esbuild, the console and the app by Vite)
# with every dependency; stage 2 holds only the output and the server's production dependencies.
# Node 22 LTS (the platform's target). NODE_IMAGE can point at a mirror of the same image.
ARG NODE_IMAGE=node:22.23.5-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
COPY apps/server/package.json apps/server/
COPY apps/console/package.json apps/console/
COPY apps/wallet/package.json apps/wallet/
COPY apps/login/package.json apps/login/
COPY apps/demo-rp/package.json apps/demo-rp/
COPY packages/brand/package.json packages/brand/
COPY packages/contracts/package.json packages/contracts/
COPY packages/core/package.json packages/core/
COPY packages/demo/package.json packages/demo/
COPY packages/db/package.json packages/db/
COPY packages/face-engine/package.json packages/face-engine/
COPY packages/messages/package.json packages/messages/
COPY packages/mrz-reader/package.json packages/mrz-reader/
COPY packages/rp-protocol/package.json packages/rp-protocol/
COPY packages/sdk/package.json packages/sdk/
COPY packages/testkit/package.json packages/testkit/
COPY tests/package.json tests/
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    DATA_DIR=/tmp/camdigikey
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json /src/.npmrc ./
COPY --from=build /src/apps/server/package.json apps/server/
COPY --from=build /src/apps/login/package.json apps/login/
COPY --from=build /src/apps/console/package.json apps/console/
COPY --from=build /src/apps/wallet/package.json apps/wallet/
COPY --from=build /src/packages/brand/package.json packages/brand/
COPY --from=build /src/packages/contracts/package.json packages/contracts/
COPY --from=build /src/packages/core/package.json packages/core/
COPY --from=build /src/packages/demo/package.json packages/demo/
COPY --from=build /src/packages/db/package.json packages/db/
COPY --from=build /src/packages/face-engine/package.json packages/face-engine/
COPY --from=build /src/packages/messages/package.json packages/messages/
COPY --from=build /src/packages/mrz-reader/package.json packages/mrz-reader/
COPY --from=build /src/packages/rp-protocol/package.json packages/rp-protocol/
COPY --from=build /src/packages/sdk/package.json packages/sdk/
COPY --from=build /src/packages/testkit/package.json packages/testkit/
COPY --from=build /src/apps/demo-rp/package.json apps/demo-rp/
COPY --from=build /src/tests/package.json tests/
# Only the server's production dependencies (no Vite, no tsc, no test tools).
RUN npm ci --omit=dev --workspace=@camdigikey/server --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/apps/server/dist apps/server/dist
COPY --from=build /src/apps/login/public apps/login/public
COPY --from=build /src/apps/console/dist apps/console/dist
COPY --from=build /src/apps/wallet/dist apps/wallet/dist
# Non-root, and nothing under /app is writable: the root file system can be mounted read-only
# (only /tmp, a tmpfs or emptyDir, is written: the face engine's and ffmpeg's scratch files).
USER node
EXPOSE 8080 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1, so the runtime's SIGTERM reaches the server itself (it drains requests
# and the running job, then exits 0). ffmpeg children are waited for; --init adds zombie reaping.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--enable-source-maps", "apps/server/dist/main.mjs"]
