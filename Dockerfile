# Build the release binary, then copy it into a small Debian image that runs it
# as an unprivileged user with its data in /data.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
RUN cargo build --release --locked && cp target/release/quillbook /quillbook

FROM debian:bookworm-slim
# libssl3: the bundled libpq links the system OpenSSL. curl: the HEALTHCHECK.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin quillbook \
    && mkdir -p /data && chown quillbook:quillbook /data
COPY --from=build /quillbook /usr/local/bin/quillbook
USER quillbook
WORKDIR /data
ENV QUILLBOOK_BIND=0.0.0.0:8080 \
    QUILLBOOK_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["curl", "-fsS", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/quillbook"]
CMD ["serve"]
