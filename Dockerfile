# egress-audit in a container, built from this repository at one commit:
#   docker build --build-arg REVISION="$(git rev-parse HEAD)" -t egress-audit:0.1.0 .
# Usage, pinning the image by digest, and the Kubernetes CronJob that runs it: docs/container.md.

# --- build: the wheel, from the sources only (see .dockerignore) ---------------------------
FROM python:3.12-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY auditor ./auditor
COPY rules ./rules
COPY reports ./reports
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

# --- run: the wheel and its dependencies, nothing else ---------------------------------------
FROM python:3.12-slim-bookworm
# The commit the image was built from (docs/container.md): which sources a report came from.
ARG REVISION=unknown
LABEL org.opencontainers.image.title="egress-audit" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.description="Audit and drift detection for the egress of AKS estates" \
      org.opencontainers.image.licenses="MIT"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/tmp
COPY --from=build /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/*.whl \
    && rm -rf /tmp/dist \
    && groupadd --system --gid 10001 egress \
    && useradd --system --uid 10001 --gid egress --no-create-home --shell /usr/sbin/nologin egress
# A numeric user, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
USER 10001:10001
WORKDIR /reports
ENTRYPOINT ["egress-audit"]
CMD ["--help"]
