"""ftp, smtp and ssh on crafted dialogues: the cases the shipped captures lack
(active mode, EPSV, multi-line replies, dot-stuffing, STARTTLS, SSH on another port)."""

from __future__ import annotations

from evidence.conftest import Analyze
from runner.evidence import craft

C, S = True, False


def test_ftp_active_mode_epsv_and_multiline_replies(run: Analyze) -> None:
    frames = craft.tcp_session([
        (S, b"220-Welcome\r\n220-to the server\r\n220 ready\r\n"),
        (C, b"USER alice\r\n"), (S, b"331 Password please\r\n"),
        (C, b"PASS s3cret\r\n"), (S, b"230 Logged in\r\n"),
        (C, b"CWD pub\r\n"), (S, b"250 OK\r\n"),
        (C, b"PORT 10,0,0,5,4,1\r\n"), (S, b"200 PORT ok\r\n"),
        (C, b"RETR report.pdf\r\n"), (S, b"150 Opening (4096 bytes)\r\n226 Done\r\n"),
        (C, b"EPSV\r\n"), (S, b"229 Entering Extended Passive Mode (|||50000|)\r\n"),
        (C, b"stor up.bin\r\n"), (S, b"150 Ok\r\n451-Disk\r\n full\r\n451 Aborted\r\n"),
    ], sport=21, client="10.0.0.5", server="10.0.0.9")
    facts = run(frames, "ftp")
    commands = list(facts.tables["ftp.commands"])
    assert [(c["command"], c["reply_code"]) for c in commands] == [
        ("USER", 331), ("PASS", 230), ("CWD", 250), ("PORT", 200), ("RETR", 226),
        ("EPSV", 229), ("STOR", 451)]
    retr, stor = facts.tables["ftp.transfers"]
    assert (retr["user"], retr["directory"], retr["mode"], retr["data_host"],
            retr["data_port"], retr["size"], retr["direction"]) == (
        "alice", "/pub", "active", "10.0.0.5", 1025, 4096, "download")
    assert (stor["mode"], stor["data_host"], stor["data_port"], stor["status"],
            stor["direction"], stor["filename"]) == (
        "passive", "10.0.0.9", 50000, 451, "upload", "up.bin")


def test_smtp_dot_stuffing_recipients_and_starttls(run: Analyze) -> None:
    message = (b"From: Eve <eve@example.org>\r\nTo: bob@example.net\r\nSubject: =?utf-8?q?"
               b"Caf=C3=A9?=\r\nMessage-ID: <m1@example.org>\r\n\r\n..leading dot\r\nbye\r\n")
    frames = craft.tcp_session([
        (S, b"220 mx ESMTP\r\n"), (C, b"EHLO laptop\r\n"), (S, b"250-mx\r\n250 8BITMIME\r\n"),
        (C, b"MAIL FROM:<eve@example.org> SIZE=99\r\n"), (S, b"250 ok\r\n"),
        (C, b"RCPT TO:<bob@example.net>\r\n"), (S, b"250 ok\r\n"),
        (C, b"RCPT TO:<carol@example.net>\r\n"), (S, b"250 ok\r\n"),
        (C, b"DATA\r\n"), (S, b"354 go\r\n"), (C, message + b".\r\n"), (S, b"250 queued\r\n"),
        (C, b"STARTTLS\r\n"), (S, b"220 go ahead\r\n"), (C, b"MAIL FROM:<hidden@x>\r\n"),
    ], sport=25)
    facts = run(frames, "smtp")
    [envelope] = facts.tables["smtp.envelopes"]
    assert (envelope["helo"], envelope["mail_from"], envelope["rcpt_to"], envelope["status"]) == (
        "laptop", "eve@example.org", "bob@example.net,carol@example.net", 250)
    [mail] = facts.tables["smtp.messages"]
    assert (mail["subject"], mail["from"], mail["message_id"]) == (
        "Café", "Eve <eve@example.org>", "<m1@example.org>")
    assert mail["size"] == len(message) - 1  # one stuffed dot removed


def test_ssh_banner_is_found_on_any_port(run: Analyze) -> None:
    frames = craft.tcp_session([
        (S, b"SSH-2.0-dropbear_2022.83\r\n"),
        (C, b"SSH-2.0-libssh2_1.10.0\r\n"), (C, b"\x00\x00\x01\x0c\x0a\x14" + bytes(40)),
    ], sport=2222)
    [row] = run(frames, "ssh").tables["ssh.banners"]
    assert (row["server_port"], row["client_software"], row["server_software"],
            row["server_version"]) == (2222, "libssh2_1.10.0", "dropbear_2022.83", "2.0")
