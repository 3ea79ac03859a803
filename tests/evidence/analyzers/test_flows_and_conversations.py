"""Conversations: direction-agnostic 5-tuples, counters each way, TCP state, port reuse."""

from __future__ import annotations

from evidence.conftest import Analyze
from runner.evidence import craft


def test_tcp_conversation_counts_each_way_and_state(run: Analyze) -> None:
    frames = craft.tcp_session(
        [(True, b"GET / HTTP/1.0\r\n\r\n"), (False, b"HTTP/1.0 200 OK\r\n\r\n")]
    )
    rows = run(frames, "conversations").tables["conversations.tcp"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["src"], row["src_port"], row["dst"], row["dst_port"]) == (
        "10.0.0.1",
        40000,
        "10.0.0.2",
        80,
    )
    assert (row["packets_src_to_dst"], row["packets_dst_to_src"]) == (5, 3)
    assert row["bytes"] == sum(len(f) for f in frames)
    assert (row["first_frame"], row["last_frame"], row["state"]) == (1, 8, "closed")


def test_syn_ack_first_still_names_the_client_as_src(run: Analyze) -> None:
    frames = craft.tcp_session([], close=False)[1:]  # capture missed the SYN
    row = run(frames, "conversations").tables["conversations.tcp"][0]
    assert (row["src"], row["dst"]) == ("10.0.0.1", "10.0.0.2")


def test_port_reuse_after_close_is_a_new_conversation(run: Analyze) -> None:
    frames = craft.tcp_session([(True, b"a")]) + craft.tcp_session([(True, b"b")])
    rows = run(frames, "conversations").tables["conversations.tcp"]
    assert [r["stream"] for r in rows] == [0, 1]
    assert [r["first_frame"] for r in rows] == [1, 8]


def test_unanswered_syn_and_rejected_syn(run: Analyze) -> None:
    syn = craft.ether(craft.ipv4(craft.tcp(sport=1, dport=2, flags="S")))
    syn2 = craft.ether(craft.ipv4(craft.tcp(sport=3, dport=4, flags="S")))
    rst = craft.ether(
        craft.ipv4(craft.tcp(sport=4, dport=3, flags="RA"), src="10.0.0.2", dst="10.0.0.1")
    )
    rows = run([syn, syn2, rst], "conversations").tables["conversations.tcp"]
    assert [r["state"] for r in rows] == ["syn-only", "rejected"]


def test_udp_conversation_both_directions_one_row(run: Analyze) -> None:
    there = craft.ether(craft.ipv4(craft.udp(b"q", sport=5000, dport=53), proto=17))
    back = craft.ether(
        craft.ipv4(craft.udp(b"r", sport=53, dport=5000), src="10.0.0.2", dst="10.0.0.1", proto=17)
    )
    rows = run([there, back, there], "conversations").tables["conversations.udp"]
    assert len(rows) == 1
    assert (rows[0]["packets_src_to_dst"], rows[0]["packets_dst_to_src"]) == (2, 1)


def test_endpoints_and_summary(run: Analyze) -> None:
    frames = craft.tcp_session([(True, b"x" * 10)])
    facts = run(frames, "endpoints", "summary")
    ips = {r["address"]: r for r in facts.tables["endpoints.ip"]}
    assert ips["10.0.0.1"]["packets_sent"] == 5
    assert ips["10.0.0.1"]["packets_received"] == 2
    assert ips["10.0.0.2"]["bytes"] == sum(len(f) for f in frames)
    assert {r["address"] for r in facts.tables["endpoints.mac"]} == {craft.MAC_A, craft.MAC_B}
    summary = facts.tables["summary.capture"][0]
    assert summary["packets"] == len(frames)
    assert summary["linktypes"] == "ETHERNET"
    assert summary["duration"] == (len(frames) - 1) / 1000
