"""Wire-level building blocks for generated captures: checksums, frame templates, TCP
conversations with correct sequence numbers, 802.11 frames and the pcap writer.

Headers are built once per flow with scapy (the reference for every field) and then only
the fields that change are patched, checksums recomputed; tests keep scapy's full build
as the oracle that the bytes are identical.
"""
