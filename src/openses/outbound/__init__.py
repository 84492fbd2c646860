"""The outbound edge: DNS lookups now; SMTP delivery and webhooks later.

Adapters here speak to the world outside the process. Library exceptions are translated at
this edge, so the services layer sees only the errors defined here.
"""

from __future__ import annotations
