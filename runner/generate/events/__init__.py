"""Every built-in capture event; the event registry imports this list (a test checks none is
missing)."""

from __future__ import annotations

from runner.generate.events.arp_spoof import ArpSpoof
from runner.generate.events.base import Event
from runner.generate.events.beacon import Beacon
from runner.generate.events.dns_lookup import DnsLookup
from runner.generate.events.dns_tunnel import DnsTunnel
from runner.generate.events.email_smtp import Email
from runner.generate.events.http_transfer import HttpTransfer
from runner.generate.events.icmp_tunnel import IcmpTunnel
from runner.generate.events.login import Login
from runner.generate.events.ndp_spoof import NdpSpoof
from runner.generate.events.ping_sweep import PingSweep
from runner.generate.events.port_scan import PortScan
from runner.generate.events.ssh_bruteforce import SshBruteforce
from runner.generate.events.tor_tls import TorTls
from runner.generate.events.wifi_beacons import WifiBeacons
from runner.generate.events.wifi_deauth import WifiDeauth
from runner.generate.events.wpa2_handshake import Wpa2Handshake

ALL: list[Event] = [PortScan(), PingSweep(), Login(), SshBruteforce(), HttpTransfer(), Email(),
                    DnsLookup(), DnsTunnel(), Beacon(), IcmpTunnel(), TorTls(), ArpSpoof(),
                    NdpSpoof(),
                    WifiBeacons(), WifiDeauth(), Wpa2Handshake()]
