"""The DNS edge: an authoritative server for the operator's DKIM zone (Easy DKIM public keys).

``DkimZone`` answers queries (wire format through dnspython) from a token lookup the runtime
binds to :meth:`openses.services.dkim.DkimService.zone_record`; ``start_dns`` serves it over UDP
and TCP on the running event loop.
"""

from __future__ import annotations

from openses.dns.server import DnsListeners, start_dns
from openses.dns.zone import DkimZone

__all__ = ["DkimZone", "DnsListeners", "start_dns"]
