# Builds the rechargebot binary (pure Go, no cgo: the embedded SQLite driver is pure Go) and runs
# `rechargebot serve`. Configuration comes from environment variables; see `rechargebot --help`.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/rechargebot ./cmd/rechargebot \
    && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rechargebot /usr/local/bin/rechargebot
# The nonroot user (uid 65532) must own the data directory, or the SQLite file cannot be created.
COPY --from=build --chown=65532:65532 /out/data /data
# The SQLite file (when DATABASE_URL is empty) lives in the /data volume.
ENV DATA_DIR=/data HTTP_ADDR=0.0.0.0:8080
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/rechargebot"]
CMD ["serve"]
