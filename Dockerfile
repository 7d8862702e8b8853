# Parley server image, in two stages: the first installs every dependency and bundles the
# TypeScript with esbuild (`npm ci` runs `npm run build`, tools/build.mjs, as `prepare`; it
# reads tsconfig.json's compiler options); the second holds only the build (dist/) and the
# production dependencies. No compiler, tsx or esbuild ships, and nothing is written to the
# file system at run time: the container runs with a read-only root (`docker run --read-only`,
# compose's `read_only: true`).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json ./
COPY bin ./bin
COPY tools ./tools
COPY src ./src
COPY channels ./channels
RUN npm ci --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: `prepare` would build, and the compiler is not here (the build is copied in).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY scripts ./scripts
COPY --from=build /app/dist ./dist

# The image's unprivileged user; the files above belong to root and are only read.
USER node
EXPOSE 3000

# BOT_FILE (or BOT_DIR) names the bots inside the container (mount yours, e.g. at /bots);
# unset: the demo bot.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# exec form through node itself: signals (SIGTERM from `docker stop`) reach the server, which
# finishes its requests and closes the store.
CMD ["node", "bin/parley.js", "serve"]
