# dflab itself as an image, for a classroom server driving the host's Docker
# engine through /var/run/docker.sock. Build with `dflab images build runner`
# (make runner-image): it collects dflab and its dependencies as wheels on the
# host into the build context, so this build needs no PyPI access.
#   docker run --rm -it -v /var/run/docker.sock:/var/run/docker.sock \
#       -v /var/lib/dflab:/var/lib/dflab dflab/runner list
# BASE defaults to the offline debootstrap base; --build-arg BASE=debian:bookworm-slim
# works where a registry can be reached.
ARG BASE=dflab/debian-base:bookworm

FROM ${BASE} AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
COPY wheels/ /tmp/wheels/
RUN python3 -m venv /opt/dflab \
 && /opt/dflab/bin/pip install --no-index --no-cache-dir --find-links /tmp/wheels dflab \
 && /opt/dflab/bin/pip uninstall --yes --quiet pip setuptools

FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
# The tools generators run to build per-trainee evidence (runner/generate/tools.py PACKAGES).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
      dosfstools mtools e2fsprogs fdisk ewf-tools \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log
COPY --from=build /opt/dflab /opt/dflab
COPY share/ /opt/dflab/share/
# Session data must sit at the same path on the host and in this container:
# the engine resolves lab bind mounts (evidence, sockets) on the host.
ENV PATH=/opt/dflab/bin:$PATH DFLAB_ROOT=/opt/dflab/share DFLAB_HOME=/var/lib/dflab LANG=C.UTF-8
# Root: access to docker.sock is root-equivalent anyway; this image adds packaging,
# not a security boundary.
WORKDIR /var/lib/dflab
ENTRYPOINT ["dflab"]
CMD ["--help"]
