"""The SMTP submission edge: SES's SMTP interface on aiosmtpd, on the caller's event loop.

::

    listeners = await start_smtp(SmtpSettings(starttls=..., implicit_tls=...), backend)
    ...
    await listeners.close()

* :mod:`.server` — :class:`SmtpSettings`, :func:`start_smtp`, :class:`SmtpListeners`
* :mod:`.ports` — :class:`SmtpBackend`, what the services provide
* :mod:`.session` — one connection: SES's rules on top of aiosmtpd
* :mod:`.handler` — the envelope checks and the submission (aiosmtpd's handler hooks)
* :mod:`.credentials` — AUTH: access key id + SMTP password -> principal and region
* :mod:`.addresses` — envelope address syntax
* :mod:`.message_data` — the message after DATA, read in blocks, judged as aiosmtpd judges it
* :mod:`.replies` — every reply line, and ServiceError -> reply (like ``api/errors.py``)
* :mod:`.tls` — server TLS context, self-signed certificate on first start
"""

from __future__ import annotations

from openses.smtp.ports import SmtpBackend
from openses.smtp.server import SmtpListeners, SmtpSettings, start_smtp
from openses.smtp.tls import ensure_self_signed

__all__ = ["SmtpBackend", "SmtpListeners", "SmtpSettings", "ensure_self_signed", "start_smtp"]
