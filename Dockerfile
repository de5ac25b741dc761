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
EXPOSE 8080
# Node as PID 1 handles SIGTERM itself (src/main.ts stops gracefully on it).
ENTRYPOINT ["node", "--enable-source-maps", "dist/main.js"]
