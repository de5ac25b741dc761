# syntax=docker/dockerfile:1
# Build: compile TypeScript with the full toolchain.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# Production dependencies only, in a clean directory.
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# A numeric non-root UID, so runAsNonRoot can verify it; nothing is written to the root filesystem.
USER 65532:65532
EXPOSE 8080 8443
# Node as PID 1 handles SIGTERM itself (src/main.ts stops gracefully on it). A 1 MB young generation: the operator
# allocates little, and the default semi-spaces cost about 60 MB of resident memory (docs/benchmarks.md, (d)).
# The test bed runs the production bundle with these same flags.
ENTRYPOINT ["node", "--enable-source-maps", "--max-semi-space-size=1", "dist/main.js"]
