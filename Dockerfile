# glisk in a container: a build stage with what building the binary needs, and a small runtime
# stage with only the shared libraries the binary links and the binary itself.
#   docker build -t glisk .
#   docker compose up -d                                                        (with PostgreSQL)
#   docker run --rm -e DATABASE_URL_FILE=/run/secrets/database_url … glisk status    (any command)
# tests/packaging/container.sh checks this file, .dockerignore and docker-compose.yml statically.

FROM debian:bookworm AS build
WORKDIR /src
# The dependency layer first, from install-deps alone: Docker reuses it until that script
# changes, so editing a source file rebuilds glisk, not the toolchain. --runtime-build installs
# what the binary needs, not the tests' tools (Chromium, a PostgreSQL server, Node.js, clang).
COPY scripts/install-deps scripts/install-deps
RUN ./scripts/install-deps --runtime-build && rm -rf /var/lib/apt/lists/*
# Then the sources (.dockerignore keeps .env, .git, build folders and data out).
COPY CMakeLists.txt ./
COPY cmake cmake
COPY src src
COPY scripts/build scripts/build
# The service alone: no tests, fake services, fuzz corpus replay or benchmarks.
RUN GLISK_BUILD_DIR=/build \
    GLISK_CMAKE_ARGS="-DGLISK_WERROR=ON -DCMAKE_BUILD_TYPE=Release -DGLISK_BUILD_TESTS=OFF -DGLISK_BUILD_BENCH=OFF" \
    ./scripts/build \
 && strip /build/glisk

FROM debian:bookworm-slim AS runtime
# The libraries `readelf -d glisk` names (the HTTP server, Boost.Beast, is header-only);
# tests/packaging/container.sh checks that each has its package here.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates libsqlite3-0 libpq5 libspdlog1.10 libfmt9 libcurl4 libssl3 zlib1g libbrotli1 \
      libsecp256k1-1 libcrypto++8 libpng16-16 libsystemd0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/glisk --create-home --shell /usr/sbin/nologin glisk \
 && install -d -o glisk -g glisk -m 0750 /var/lib/glisk/data
COPY --from=build /build/glisk /usr/local/bin/glisk
USER glisk
WORKDIR /var/lib/glisk
# DATA_DIR exists and is the glisk user's, so a named volume mounted there starts out owned by it.
ENV HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/var/lib/glisk/data
VOLUME ["/var/lib/glisk/data"]
EXPOSE 8000
# `glisk healthcheck` asks /health on HOST:PORT (0.0.0.0 is asked on loopback): 0 healthy, 1 not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/usr/local/bin/glisk", "healthcheck"]
# SIGTERM lets in-flight work finish (SHUTDOWN_TIMEOUT_SECONDS); give `docker stop -t 35`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/glisk"]
CMD ["serve"]
