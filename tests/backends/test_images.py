"""Lab images: built offline through the same code as ``make images``, skipped when up to date."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from runner.backends import images
from runner.backends.docker import DockerBackend
from runner.backends.images import LAB_CLIENT, LAB_TEXT

pytestmark = pytest.mark.docker

NETWORK_TOOLS = ("tshark tcpdump ngrep tcpflow foremost binwalk file xxd jq aircrack-ng sqlite3 "
                 "python3 lab")
DISK_TOOLS = "fls mmls icat photorec testdisk exiftool foremost sqlite3 file xxd python3 lab"


def test_second_build_is_skipped(lab_images: list[images.Built], engine: Any) -> None:
    again = images.build_images()
    assert {b.name for b in again} == {"network", "disk"}
    assert not any(b.built for b in again)
    for built in again:
        labels = engine.images.get(built.tag).labels
        assert labels[images.LABEL_PROFILE] == built.name
        assert labels[images.LABEL_BASE] == images.DEFAULT_BASE
        assert "dflab.managed" not in labels  # or every container of the image would be gc'd


def test_images_list_reports_up_to_date(lab_images: list[images.Built]) -> None:
    rows = {r["target"]: r for r in images.list_images()}
    assert rows["network"]["present"] and rows["network"]["up_to_date"]
    assert rows["disk"]["present"] and rows["disk"]["up_to_date"]


@pytest.mark.parametrize(
    ("image", "tools", "imports"),
    [("dflab/lab-network:latest", NETWORK_TOOLS, "import scapy.all, dpkt"),
     ("dflab/lab-disk:latest", DISK_TOOLS, "import sqlite3")],
)
def test_image_has_its_tools_and_the_lab_client(
    start_lab: Any, backend: DockerBackend, image: str, tools: str, imports: str
) -> None:
    handle, spec = start_lab(image=image)
    code, out = backend.run(handle, spec, ["sh", "-c", f"for t in {tools}; do command -v $t "
                                           "|| echo MISSING $t; done"])
    assert code == 0 and "MISSING" not in out, out
    assert backend.run(handle, spec, ["python3", "-c", imports])[0] == 0
    _, digest = backend.run(handle, spec, ["sha256sum", "/usr/local/bin/lab"])
    assert digest.split()[0] == hashlib.sha256(LAB_CLIENT.read_bytes()).hexdigest()
    _, digest = backend.run(handle, spec, ["sha256sum", "/opt/dflab/labtext.py"])
    assert digest.split()[0] == hashlib.sha256(LAB_TEXT.read_bytes()).hexdigest()
    code, out = backend.run(handle, spec, ["id"])
    assert out.startswith("uid=1000(trainee) gid=1000(trainee)")


def test_login_shell_greets_and_sets_the_prompt(start_lab: Any, backend: DockerBackend) -> None:
    handle, spec = start_lab()
    _code, out = backend.run(handle, spec, ["bash", "-lic", 'echo "PS1=$PS1"'])
    assert "Test lab" in out and "'lab tasks'" in out
    assert "[lab:test-scenario]" in out and "\\w" in out


def test_prompt_ignores_shell_syntax_in_the_scenario_id(start_lab: Any,
                                                        backend: DockerBackend) -> None:
    handle, spec = start_lab(env={"DFLAB_SCENARIO": "x"})
    _code, out = backend.run(handle, spec, ["env", "DFLAB_SCENARIO=a$(id)b", "bash", "-lic",
                                           'echo "PS1=$PS1"'])
    assert "[lab:aidb]" in out
