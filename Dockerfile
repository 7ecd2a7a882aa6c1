# syntax=docker/dockerfile:1
#
# The kensa inspection server.
#
#   docker build -t kensa .                              # CPU (default)
#   docker run -p 8080:8080 -v kensa-data:/var/lib/kensa -v $PWD/models:/app/models kensa
#
# CUDA variant, for hosts with an NVIDIA GPU (training and GPU inference):
#
#   docker build --build-arg VARIANT=cuda -t kensa:cuda .
#   docker run --gpus all -e KENSA_DEVICE=cuda -p 8080:8080 -v kensa-data:/var/lib/kensa kensa:cuda
#
# VARIANT=cuda installs onnxruntime-node with its CUDA 12 provider (ONNXRUNTIME_NODE_INSTALL=cuda12,
# downloaded at build time) and runs on NVIDIA's CUDA 12 + cuDNN 9 runtime image.
#
# Note: this file is not built by kensa's CI (no Docker engine there); it is kept deliberately plain.
# The first start prints the admin API key once (docker logs); settings are KENSA_* variables.

ARG VARIANT=cpu
ARG NODE_IMAGE=node:20-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04

# ---- build: install dependencies (native ones included), compile, drop dev dependencies
FROM ${NODE_IMAGE} AS build
ARG VARIANT
# compilers, in case a native module has no prebuilt binary for this platform
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN if [ "$VARIANT" = "cuda" ]; then export ONNXRUNTIME_NODE_INSTALL=cuda12; fi && npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# ---- runtime bases: Node alone, or Node on the CUDA runtime (the glibc of Ubuntu 24.04 is newer
# than Debian bookworm's, so the native modules built above load there too)
FROM ${NODE_IMAGE} AS base-cpu

FROM ${CUDA_IMAGE} AS base-cuda
COPY --from=build /usr/local/bin/node /usr/local/bin/node

# ---- runtime: non-root, data on a volume, health-checked
FROM base-${VARIANT} AS runtime
ENV NODE_ENV=production \
    KENSA_HOST=0.0.0.0 \
    KENSA_PORT=8080 \
    KENSA_DATA_DIR=/var/lib/kensa \
    KENSA_MODELS_DIR=/app/models
RUN groupadd --system kensa && useradd --system --gid kensa --home-dir /app --shell /usr/sbin/nologin kensa \
    && mkdir -p /var/lib/kensa /app/models && chown kensa:kensa /var/lib/kensa /app/models
WORKDIR /app
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER kensa
VOLUME ["/var/lib/kensa"]
EXPOSE 8080
# liveness of the process; /readyz (models loaded) is for orchestrators' readiness probes
HEALTHCHECK --interval=15s --timeout=3s --start-period=180s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.KENSA_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/cli/main.js", "serve"]
