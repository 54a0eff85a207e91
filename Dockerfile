# hss-mock as a container image.
# Build stage: compilers for better-sqlite3 (built from source where no prebuilt binary matches)
# and the TypeScript build. Runtime stage: production dependencies only, no compilers, user `node`.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# Compile against the headers the image ships instead of downloading them from nodejs.org.
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund
# better-sqlite3 needs only its JavaScript and the compiled addon at run time, not the SQLite
# sources and object files it was built from.
RUN cd node_modules/better-sqlite3 \
  && mv build/Release/better_sqlite3.node /tmp/ \
  && rm -rf build deps src \
  && mkdir -p build/Release \
  && mv /tmp/better_sqlite3.node build/Release/

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HSS_MOCK_HOST=0.0.0.0 \
    HSS_MOCK_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY fixtures ./fixtures
# The web console's files, served as they are at /_mock/ui/.
COPY console/*.html console/*.css console/*.js console/*.svg ./console/
# A place for --db (HSS_MOCK_DB=/data/hss.db) that survives the container.
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HSS_MOCK_PORT || 8080) + '/_mock/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/bundle/hss-mock.mjs"]
