# hss-mock as a container. Build stage: compilers for better-sqlite3 (built from source where no
# prebuilt binary matches) and the TypeScript build. Runtime stage: production dependencies only.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HSS_MOCK_HOST=0.0.0.0 \
    HSS_MOCK_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY fixtures ./fixtures
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/cli.js"]
