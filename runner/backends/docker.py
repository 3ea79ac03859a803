"""The Docker backend: one long-running, locked-down container per session.

This is the only module that imports the Docker SDK; image building
(:mod:`runner.backends.images`) borrows its client and error mapping. A lab
container has no network, no capabilities, a read-only root, resource limits,
evidence mounted read-only, a per-session ``/work`` volume that survives
restarts, and the session's socket folder at :data:`LAB_SOCKET_DIR`.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docker
import docker.errors
import requests.exceptions

from runner.backends import fetchguard, tty
from runner.backends.base import LAB_WORK_DIR, Backend, LabHandle, LabSpec
from runner.backends.labconfig import (
    LAB_UID,
    LAB_USER,
    LABEL_MANAGED,
    LABEL_OWNER,
    LABEL_SESSION,
    check_host_paths,
    container_config,
    container_name,
    labels,
    volume_name,
)
from runner.errors import BackendError, RefusedError

if TYPE_CHECKING:
    from runner.home import Home

# Pinned so creating a client costs no round-trip (and leaks nothing when the
# engine is down); engine 20.10 speaks it and later engines still accept it.
API_VERSION = "1.41"
ENGINE_FIX = "is the Docker daemon running? check 'docker info' and DOCKER_HOST"


@contextmanager
def engine_errors(what: str) -> Iterator[None]:
    """Turn Docker SDK and transport failures into one-line :class:`BackendError`."""
    try:
        yield
    except docker.errors.ImageNotFound as exc:
        raise BackendError(
            f"{what}: image not found ({exc.explanation})",
            fix="run 'dflab images build' (or 'make images')",
        ) from None
    except docker.errors.APIError as exc:
        raise BackendError(
            f"{what}: the Docker engine refused: {exc.explanation or exc}",
            fix="see 'docker info'; run 'dflab gc' if old labs are in the way",
        ) from None
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise BackendError(
            f"{what}: cannot reach the Docker engine ({exc})", fix=ENGINE_FIX
        ) from None


def _unix_socket() -> str | None:
    """The engine's socket path when DOCKER_HOST is unset or ``unix://``; else None."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    return host[len("unix://"):] if host.startswith("unix://") else None


def _ping_unix(path: str, timeout: float) -> bool:
    """``GET /_ping`` over the engine's Unix socket with the standard library.

    The SDK leaks its socket when the engine refuses a connection, which the
    "is Docker here?" probe meets on every laptop without an engine.
    """
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(path)
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            reply = sock.recv(4096)
    except OSError:
        return False
    return reply.startswith(b"HTTP/1.") and b" 200 " in reply.split(b"\r\n", 1)[0] + b" "


def connect(timeout: float = 300.0) -> Any:
    """A Docker client from the environment (DOCKER_HOST etc.); close it when done."""
    path = _unix_socket()
    if path is not None and not os.path.exists(path):
        raise BackendError(f"no Docker engine socket at {path}", fix=ENGINE_FIX)
    with engine_errors("connecting to Docker"):
        return docker.from_env(version=API_VERSION, timeout=timeout)


class DockerBackend(Backend):
    """Labs as Docker containers driven through the engine's API."""

    name = "docker"
    isolated = True
    lab_uid = LAB_UID

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = connect()
        return self._client

    def close(self) -> None:
        """Close the engine connection (idempotent)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def __enter__(self) -> DockerBackend:
        return self

    def available(self) -> bool:
        path = _unix_socket()
        if path is not None:
            return _ping_unix(path, 1.0)
        try:
            probe = docker.from_env(version=API_VERSION, timeout=1)
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            return False
        try:
            return bool(probe.ping())
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            return False
        finally:
            probe.close()

    def find(self, session_id: str) -> Any | None:
        """The container of a session, running or not, by its label."""
        with engine_errors(f"session {session_id}"):
            found = self.client.containers.list(
                all=True, filters={"label": [f"{LABEL_MANAGED}=1", f"{LABEL_SESSION}={session_id}"]}
            )
        return found[0] if found else None

    def prepare(self, spec: LabSpec) -> LabHandle:
        check_host_paths(spec)
        where = f"lab {container_name(spec.session_id)}"
        existing = self.find(spec.session_id)
        created = existing is None
        with engine_errors(where):
            if existing is None:
                self._ensure_volume(spec)
                existing = self._create(spec)
            try:
                if existing.status != "running":
                    existing.start()
            except docker.errors.APIError:
                if created:  # leave nothing half-made behind; /work stays for a retry
                    existing.remove(force=True)
                raise
        return LabHandle(backend=self.name, session_id=spec.session_id, ref=existing.id)

    def _ensure_volume(self, spec: LabSpec) -> None:
        name = volume_name(spec.session_id)
        try:
            self.client.volumes.get(name)
        except docker.errors.NotFound:
            self.client.volumes.create(name=name, labels=labels(spec))

    def _create(self, spec: LabSpec) -> Any:
        try:
            return self.client.containers.create(**container_config(spec))
        except docker.errors.ImageNotFound:
            raise BackendError(
                f"lab image {spec.image} is not built",
                fix=f"run 'dflab images build {spec.profile}' (or 'make images')",
            ) from None
        except docker.errors.APIError as exc:
            if exc.status_code == 409:  # a concurrent prepare() created it first
                again = self.find(spec.session_id)
                if again is not None:
                    return again
            raise

    def _exec(self, handle: LabHandle, argv: list[str], *, tty_mode: bool) -> str:
        env = {"TERM": os.environ.get("TERM", "xterm-256color")} if tty_mode else None
        try:
            return str(
                self.client.api.exec_create(
                    handle.ref, argv, stdin=tty_mode, tty=tty_mode, user=LAB_USER,
                    workdir=LAB_WORK_DIR, environment=env,
                )["Id"]
            )
        except docker.errors.NotFound:
            raise BackendError(
                f"lab of session {handle.session_id} no longer exists",
                fix="run 'dflab resume' to recreate it",
            ) from None
        except docker.errors.APIError as exc:
            if exc.status_code == 409:
                raise BackendError(
                    f"lab of session {handle.session_id} is not running",
                    fix="run 'dflab resume'",
                ) from None
            raise

    def shell(self, handle: LabHandle, spec: LabSpec) -> int:
        with engine_errors(f"shell in lab {handle.ref[:12]}"):
            exec_id = self._exec(handle, ["/bin/bash", "-l"], tty_mode=True)
            sock, pending = self._exec_socket(exec_id)
            api = self.client.api
            try:
                tty.forward(sock, pending, lambda h, w: api.exec_resize(exec_id, height=h, width=w))
            finally:
                sock.close()
            code = self.client.api.exec_inspect(exec_id).get("ExitCode")
        return int(code) if code is not None else 0

    def _exec_socket(self, exec_id: str) -> tuple[socket.socket, bytes]:
        """The raw socket of a started TTY exec, and any output already buffered."""
        io_sock = self.client.api.exec_start(exec_id, tty=True, socket=True)
        raw: socket.socket = getattr(io_sock, "_sock", io_sock)
        pending = b""
        # http.client may have read past the upgrade headers; take those bytes too.
        buffered = getattr(getattr(io_sock, "_response", None), "raw", None)
        reader = getattr(getattr(buffered, "_fp", None), "fp", None)
        if reader is not None:
            raw.setblocking(False)
            try:
                pending = reader.read1(65536) or b""
            except (BlockingIOError, OSError, ValueError):
                pending = b""
            finally:
                raw.setblocking(True)
        return raw, pending

    def run(self, handle: LabHandle, spec: LabSpec, argv: list[str]) -> tuple[int, str]:
        return self._run(handle, argv)

    def _run(self, handle: LabHandle, argv: list[str]) -> tuple[int, str]:
        with engine_errors(f"command in lab {handle.ref[:12]}"):
            exec_id = self._exec(handle, argv, tty_mode=False)
            output = self.client.api.exec_start(exec_id)
            code = self.client.api.exec_inspect(exec_id).get("ExitCode")
        text = output.decode("utf-8", "replace") if isinstance(output, bytes) else str(output)
        return (int(code) if code is not None else -1), text

    def fetch(self, handle: LabHandle, lab_path: str, dest_dir: Path, max_bytes: int) -> Path:
        path = fetchguard.normalise(lab_path)
        with engine_errors(f"fetching {path}"):
            if self.client.containers.get(handle.ref).status == "paused":
                raise RefusedError(f"{path}: the lab is paused",
                                   fix="wait until the trainer resumes it, then submit again")
            code, out = self._run(handle, fetchguard.probe_argv(path))
            fetchguard.check_probe(path, code, out, max_bytes)
            container = self.client.containers.get(handle.ref)
            # Frozen while we check and copy: no swapping a checked file for a symlink.
            # Only a freeze made here is thawed here (the caller holds the freeze lock).
            froze = container.status == "running"
            if froze:
                container.pause()
            try:
                for step in fetchguard.components(path):
                    fetchguard.check_stat(path, step, self._stat(handle.ref, step), max_bytes)
                return self._copy_out(handle.ref, path, dest_dir, max_bytes)
            finally:
                if froze:
                    container.unpause()

    def work_usage(self, handle: LabHandle) -> int | None:
        # Docker volumes have no size limit: the class server measures and warns instead.
        # du still prints the total when some folder is unreadable (then exit status 1).
        _, out = self._run(handle, ["sh", "-c", f"du -sk {LAB_WORK_DIR} 2>/dev/null"])
        fields = out.split()
        return int(fields[-2]) * 1024 if len(fields) >= 2 and fields[-2].isdigit() else None

    def _stat(self, ref: str, path: str) -> str:
        api = self.client.api
        res = api.head(api._url("/containers/{0}/archive", ref), params={"path": path})
        try:
            api._raise_for_status(res)
            return str(res.headers.get("X-Docker-Container-Path-Stat", ""))
        finally:
            res.close()

    def _copy_out(self, ref: str, path: str, dest_dir: Path, max_bytes: int) -> Path:
        api = self.client.api
        res = api.get(
            api._url("/containers/{0}/archive", ref),
            params={"path": path},
            stream=True,
            headers={"Accept-Encoding": "identity"},
        )
        try:
            api._raise_for_status(res)
            return fetchguard.extract_one(res.raw, path, dest_dir, max_bytes)
        finally:
            res.close()

    def archive_work(self, handle: LabHandle, spec: LabSpec, target: Path) -> bool:
        with engine_errors(f"archiving /work of lab {handle.ref[:12]}"):
            try:
                stream, _ = self.client.containers.get(handle.ref).get_archive(LAB_WORK_DIR)
            except docker.errors.NotFound:
                return False
            with gzip.open(target, "wb") as out:
                for chunk in stream:
                    out.write(chunk)
        return True

    def is_running(self, handle: LabHandle) -> bool:
        with engine_errors(f"lab {handle.ref[:12]}"):
            try:
                return bool(self.client.containers.get(handle.ref).status == "running")
            except docker.errors.NotFound:
                return False

    def stop(self, handle: LabHandle, *, remove_work: bool = True) -> None:
        with engine_errors(f"stopping lab {handle.ref[:12]}"):
            with contextlib.suppress(docker.errors.NotFound):
                self.client.containers.get(handle.ref).remove(force=True)
            # A lab re-created since the handle was saved belongs to the session too.
            while (again := self.find(handle.session_id)) is not None:
                again.remove(force=True)
            if remove_work:
                with contextlib.suppress(docker.errors.NotFound):
                    self.client.volumes.get(volume_name(handle.session_id)).remove(force=True)

    def pause(self, handle: LabHandle) -> bool:
        with engine_errors(f"pausing lab {handle.ref[:12]}"):
            container = self.client.containers.get(handle.ref)
            if container.status != "running":
                return False
            container.pause()
            return True

    def unpause(self, handle: LabHandle) -> bool:
        with engine_errors(f"resuming lab {handle.ref[:12]}"):
            container = self.client.containers.get(handle.ref)
            if container.status != "paused":
                return False
            container.unpause()
            return True

    def gc(self, home: Home, keep: frozenset[str] = frozenset(), *,
           dry_run: bool = False, work: bool = True,
           keep_work: frozenset[str] = frozenset()) -> list[str]:
        removed: list[str] = []
        # Labs of another dflab home (another user, a test run) are not ours to remove.
        mine = {"label": [f"{LABEL_MANAGED}=1", f"{LABEL_OWNER}={home.owner}"]}
        with engine_errors("removing old labs"):
            for container in self.client.containers.list(all=True, filters=mine):
                if container.labels.get(LABEL_SESSION) not in keep:
                    if not dry_run:
                        container.remove(force=True)
                    removed.append(f"container {container.name}")
            for volume in self.client.volumes.list(filters=mine):
                session = (volume.attrs.get("Labels") or {}).get(LABEL_SESSION)
                if session not in keep and session not in keep_work and work:
                    if not dry_run:  # a trainee's /work: only when asked (gc --yes)
                        volume.remove(force=True)
                    removed.append(f"volume {volume.name}")
        return removed


def find_image(client: Any, ref: str) -> Any | None:
    """The image called ``ref``, or None when the engine does not have it."""
    with engine_errors(f"image {ref}"):
        try:
            return client.images.get(ref)
        except docker.errors.ImageNotFound:
            return None
