"""Unexpected failures: logged in full on the server under a short incident id the user can quote.

The user sees one translated line with the id; the traceback goes only to the
server log (logger ``geo.incidents``), where the id finds it.

>>> try:
...     {}["missing"]
... except KeyError as error:
...     incident = record_incident(error, "risk page")
>>> len(incident), incident.isalnum()
(8, True)
"""

from __future__ import annotations

import logging
import secrets

__all__ = ["LOGGER", "record_incident"]

LOGGER = logging.getLogger("geo.incidents")


def record_incident(error: BaseException, where: str) -> str:
    """Log ``error`` with its traceback under a new incident id; return the id (8 hex digits)."""
    incident = secrets.token_hex(4).upper()
    LOGGER.error("incident %s in %s: %s: %s", incident, where, type(error).__name__, error, exc_info=error)
    return incident
