# syntax=docker/dockerfile:1
# The broker's image: compiled in one stage, run from a clean one that holds
# only the production dependencies and the compiled code.

FROM node:24-slim AS build
WORKDIR /app
# The same two commands the tests run, in the same order.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The base image's `node` user, by number, so that Kubernetes' runAsNonRoot can
# check it. It owns nothing here: the code and dependencies are read-only to it.
USER 1000:1000
EXPOSE 8080
# Node's own fetch, as the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz')\
.then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.js"]
