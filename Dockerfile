# The portal image: a static Go binary beside Debian's Chromium (for PDF export).
# Build: docker build -t tftsr .   Run the whole stack: docker compose up

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/tftsr ./cmd/tftsr

FROM debian:bookworm-slim
RUN apt-get update \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		chromium fonts-dejavu-core fonts-liberation2 fonts-noto-core ca-certificates \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --create-home --home-dir /home/tftsr --uid 10001 --user-group tftsr
COPY --from=build /out/tftsr /usr/local/bin/tftsr
ENV TFTSR_CHROME_PATH=/usr/bin/chromium \
	TFTSR_ADDR=0.0.0.0:8080
USER tftsr
WORKDIR /home/tftsr
EXPOSE 8080
ENTRYPOINT ["tftsr"]
CMD ["serve"]
