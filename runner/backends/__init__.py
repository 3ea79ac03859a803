"""Backends registry: where labs run. ``docker`` is imported only when asked for."""

from __future__ import annotations

from importlib import import_module

from runner.backends.base import Backend
from runner.errors import BackendError, UsageError

BACKENDS = {"local": "runner.backends.local:LocalBackend",
            "docker": "runner.backends.docker:DockerBackend"}


def get_backend(name: str) -> Backend:
    """Instantiate the backend called ``name``."""
    if name not in BACKENDS:
        raise UsageError(f"unknown backend '{name}'", fix=f"use one of: {', '.join(BACKENDS)}")
    module_name, _, cls_name = BACKENDS[name].partition(":")
    try:
        module = import_module(module_name)
    except ImportError as exc:
        raise BackendError(f"the {name} backend cannot be loaded: {exc}",
                           fix="reinstall dflab ('make install')") from None
    backend: Backend = getattr(module, cls_name)()
    return backend


def choose_backend(name: str | None) -> Backend:
    """The named backend (it must be usable), else Docker when an engine answers, else local."""
    if name:
        backend = get_backend(name)
        if not backend.available():
            raise BackendError(f"the {name} backend is not available on this machine",
                               fix="start the Docker daemon, or use --backend local")
        return backend
    try:
        docker = get_backend("docker")
        if docker.available():
            return docker
    except BackendError:
        pass
    return get_backend("local")
