# glisk in a container: a build stage with the whole toolchain (scripts/install-deps, scripts/build),
# and a small runtime stage with only the shared libraries the binary links and the binary itself.
#   docker build -t glisk .
#   docker run --rm -p 8000:8000 -e DATABASE_URL=postgresql://… glisk            (serve)
#   docker run --rm -e DATABASE_URL=postgresql://… glisk status                  (any command)

FROM debian:bookworm AS build
WORKDIR /src
COPY . .
RUN ./scripts/install-deps \
 && GLISK_BUILD_DIR=/build GLISK_CMAKE_ARGS="-DGLISK_WERROR=ON -DCMAKE_BUILD_TYPE=Release" ./scripts/build \
 && strip /build/glisk

FROM debian:bookworm-slim AS runtime
# The libraries `ldd glisk` names (the HTTP server, Boost.Beast, is header-only).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates libsqlite3-0 libpq5 libspdlog1.10 libfmt9 libcurl4 libssl3 zlib1g libbrotli1 \
      libsecp256k1-1 libcrypto++8 libpng16-16 libsystemd0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/glisk --create-home --shell /usr/sbin/nologin glisk
COPY --from=build /build/glisk /usr/local/bin/glisk
USER glisk
WORKDIR /var/lib/glisk
ENV HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/var/lib/glisk/data
EXPOSE 8000
# `glisk healthcheck` asks /health on HOST:PORT (0.0.0.0 is asked on loopback): 0 healthy, 1 not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/usr/local/bin/glisk", "healthcheck"]
# SIGTERM lets in-flight work finish (SHUTDOWN_TIMEOUT_SECONDS); give `docker stop -t 35`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/glisk"]
CMD ["serve"]
