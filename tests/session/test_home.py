"""The dflab home: one layout, private permissions, stores that close themselves."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from runner.backends.base import Limits
from runner.errors import BackendError
from runner.home import Home, secure_socket, short_socket_root, socket_dir
from runner.session.labspec import make_spec


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_home_and_database_are_private_to_their_owner(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    with home.store() as store:
        store.create_session(scenario_id="s", scenario_path="/s.yaml", scenario_sha256="0" * 64,
                             title="T", lang="en", trainee="t", backend="local")
        for name in ("sessions.db", "sessions.db-wal", "sessions.db-shm"):
            assert _mode(home.root / name) == 0o600, name
    assert _mode(home.root) == 0o700


def test_an_existing_open_home_and_database_are_tightened(tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    with Home(root).store():
        pass
    (root / "sessions.db").chmod(0o644)
    with Home(root).classes():
        pass
    assert _mode(root) == 0o700
    assert _mode(root / "sessions.db") == 0o600


def test_the_layout_lives_in_one_place(tmp_path: Path) -> None:
    home = Home(tmp_path)
    assert home.db == tmp_path / "sessions.db"
    assert home.work_dir("abc") == tmp_path / "labs" / "abc" / "work"
    assert home.service_dir("abc") == tmp_path / "run" / "abc"
    assert home.artifact_dir("abc") == tmp_path / "artifacts" / "abc"
    assert home.cache == tmp_path / "cache"
    spec = make_spec(tmp_path, "abc", scenario_id="s", title="T", profile="network",
                     image="i", limits=Limits(), evidence=())
    assert (spec.work_dir, spec.service_dir, spec.owner) == (
        home.work_dir("abc"), home.service_dir("abc"), home.owner)


def test_home_from_env_prefers_the_option(tmp_path: Path) -> None:
    env = {"DFLAB_HOME": str(tmp_path / "env")}
    assert Home.from_env(env).root == tmp_path / "env"
    assert Home.from_env(env, override=str(tmp_path / "opt")).root == tmp_path / "opt"


def test_a_lab_socket_is_reachable_by_the_host_user_only(tmp_path: Path) -> None:
    folder = socket_dir(tmp_path / "run" / "abc", None)
    sock = folder / "lab.sock"
    import socket

    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(sock))
        secure_socket(sock, None)
        assert _mode(folder) == 0o700
        assert _mode(sock) == 0o600


@pytest.mark.skipif(os.getuid() != 0, reason="handing a folder to another uid needs root")
def test_a_lab_socket_folder_is_handed_to_the_lab_user(tmp_path: Path) -> None:
    folder = socket_dir(tmp_path / "run" / "abc", 1000)
    assert (folder.stat().st_uid, _mode(folder)) == (1000, 0o700)


def test_long_homes_use_a_private_per_user_socket_folder(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "runtime"))
    (tmp_path / "runtime").mkdir()
    deep = Home(tmp_path / ("d" * 120))
    folder = deep.service_dir("abc")
    root = short_socket_root()
    assert folder.parent == root == tmp_path / "runtime" / f"dflab-{os.getuid()}"
    assert _mode(root) == 0o700 and root.stat().st_uid == os.getuid()
    assert len(str(folder / "lab.sock")) <= 100


@pytest.mark.parametrize("prepare", ["symlink", "open", "file"])
def test_a_prepared_fallback_socket_folder_is_refused(tmp_path: Path, prepare: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    planted = tmp_path / f"dflab-{os.getuid()}"
    if prepare == "symlink":  # another user points the predictable name at their folder
        (tmp_path / "theirs").mkdir()
        planted.symlink_to(tmp_path / "theirs")
    elif prepare == "open":
        planted.mkdir()
        planted.chmod(0o777)
    else:
        planted.write_text("")
    with pytest.raises(BackendError) as info:
        short_socket_root()
    assert "not a private folder" in info.value.message
    assert f"remove {planted}" in (info.value.fix or "")


def test_stores_are_context_managers_that_close(tmp_path: Path) -> None:
    home = Home(tmp_path)
    with home.store() as store:
        pass
    with pytest.raises(Exception, match="closed"):
        store.query("SELECT 1")
    with home.classes() as classes:
        assert classes.classes() == []
    with pytest.raises(Exception, match="closed"):
        classes.classes()


def test_opening_a_store_again_never_opens_the_database_file_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Closing any descriptor of the file drops SQLite's POSIX locks held by the other
    # connections of this process (class serve lost its answers that way).
    home = Home(tmp_path)
    with home.store() as first:
        opened: list[str] = []
        real_open = os.open

        def spy(path: Any, *args: Any, **kwargs: Any) -> int:
            fd = real_open(path, *args, **kwargs)
            opened.append(str(path))  # only descriptors actually made count
            return fd

        monkeypatch.setattr(os, "open", spy)
        with home.store() as second:
            second.query("SELECT 1")
        assert str(home.db) not in opened
        first.query("SELECT 1")
