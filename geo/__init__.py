"""Cao Bằng programme tracker: indicators, hazard flagging and resettlement.

A plain Python package (no user-interface code): every figure the app shows
can be computed from here and from the command line, ``python -m geo``.
"""

__version__ = "0.1.0"
