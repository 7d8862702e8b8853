# Parley server image. tsx runs the TypeScript sources directly (it is a runtime dependency),
# so there is no build step and `npm ci --omit=dev` leaves everything the server needs.
FROM node:20-slim

ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY bin ./bin
COPY src ./src
COPY channels ./channels
COPY scripts ./scripts

# Runs as the image's unprivileged user; nothing is written to the file system at run time.
USER node
EXPOSE 3000

# BOT_FILE names the bot inside the container (mount yours, e.g. at /bots); unset: the demo bot.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

# exec form through node itself: signals (SIGTERM from `docker stop`) reach the server, which
# finishes its requests and closes the store.
CMD ["node", "bin/parley.js", "serve"]
