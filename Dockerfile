# syntax=docker/dockerfile:1
#
# One image per service, the relay and the web console, from one build:
#
#   docker build --target gateway -t agent-orchestrator/gateway .
#   docker compose up        (docker-compose.yml builds every target)
#
# How TypeScript runs: the build stage compiles the services and libraries to JavaScript with swc
# (scripts/build-dist.ts, the repository's .swcrc: the settings the specs run under), so the
# runtime images run plain `node` on .js files. Running the sources through @swc-node/register at
# run time, as `npm start` and `npm run cluster` do, would need @swc-node/register and @swc/core
# (a 40 MB native binary) in every image, both dev dependencies, and would compile every module
# again at each start; compiled images hold production dependencies only, start faster and load
# nothing a build tool brings.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- manifests: package.json and the lock file alone, so a source change reuses the installs -------
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests && cp package.json package-lock.json /manifests/ \
  && find apps libs services -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /manifests/ \;

# --- build: every dependency, the compiled services and the console's static build ---------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
# /out: the compiled libs/ and services/ (package.json exports pointing at .js), the console's
# build where the gateway looks for it, and the manifests the production install needs.
RUN node --import @swc-node/register/esm-register scripts/build-dist.ts /out \
  && node --import @swc-node/register/esm-register apps/console/build.ts --force \
  && mkdir -p /out/apps/console /out/apps/cli \
  && cp -r apps/console/dist /out/apps/console/dist \
  && cp apps/console/package.json /out/apps/console/ && cp apps/cli/package.json /out/apps/cli/ \
  && cp package.json package-lock.json /out/ \
  && mkdir /out-manifests && cd /out \
  && find . -maxdepth 3 -name package.json -exec cp --parents {} /out-manifests/ \; \
  && cp package-lock.json /out-manifests/

# --- runtime: production dependencies and the compiled code, run as the unprivileged `node` user --
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out-manifests/ ./
# --ignore-scripts: no production dependency needs its install script at run time (the embedded
# PostgreSQL's binaries serve dev mode only, which no image runs).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /out/ ./
USER node
# Every service answers /healthz, /readyz and /metrics on HEALTH_PORT (the gateway its API on GATEWAY_PORT).
ENV HEALTH_PORT=9464
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

FROM runtime AS orchestrator
CMD ["node", "services/orchestrator/src/main.js"]

# The relay as its own process (services/orchestrator/src/relay-main.ts): publishes the session
# log to Kafka under a PostgreSQL advisory lock, so a standby takes over when the leader dies.
FROM runtime AS relay
CMD ["node", "services/orchestrator/src/relay-main.js"]

FROM runtime AS agent-runtime
CMD ["node", "services/agent-runtime/src/main.js"]

FROM runtime AS policy
CMD ["node", "services/policy/src/main.js"]

FROM runtime AS approvals
CMD ["node", "services/approvals/src/main.js"]

FROM runtime AS tool-adapters
CMD ["node", "services/tool-adapters/src/main.js"]

FROM runtime AS audit
CMD ["node", "services/audit/src/main.js"]

FROM runtime AS replay
CMD ["node", "services/replay/src/main.js"]

FROM runtime AS observability
CMD ["node", "services/observability/src/main.js"]

# The gateway serves the API on GATEWAY_PORT and the web console at `/` (apps/console/dist).
FROM runtime AS gateway
ENV GATEWAY_PORT=3000
EXPOSE 3000
CMD ["node", "services/gateway/src/main.js"]

# --- console: the web console's static build on unprivileged nginx, the API proxied to the gateway -
# For serving the console apart from the gateway (a CDN-like edge, its own scaling); the gateway
# serves the same build at `/` too. GATEWAY_URL names the gateway (default http://gateway:3000).
FROM nginxinc/nginx-unprivileged:1.29-alpine AS console
ENV GATEWAY_URL=http://gateway:3000
COPY deploy/console/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /out/apps/console/dist/ /usr/share/nginx/html/
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/console-healthz"]
