"""What every page of the app is given: the language, the data, the user and the settings.

Pages take a :class:`Context` instead of reading module globals, so each can be
run on its own (tests) and nothing leaks between sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.access import Accounts, User, can
from geo.dataset import Dataset
from geo.i18n import t
from geo.maps import LayerStore
from geo.pgstore import PgLocation

__all__ = ["Context"]


@dataclass(frozen=True)
class Context:
    """One run of the app for one user.

    ``user`` is None in demo mode (no account yet, or not logged in);
    ``accounts`` is None when there is no workspace at all; ``layers`` is where
    the web maps publish the layers the browser fetches once (None: written
    into each map).
    """

    lang: str
    ds: Dataset
    user: User | None
    accounts: Accounts | None
    workspace: Path | PgLocation
    view: str
    basemap: str
    local_tiles: str | None
    static: Path
    layers: LayerStore | None = None

    def t(self, key: str, **fields: object) -> str:
        """The text for ``key`` in this user's language."""
        return t(key, self.lang, **fields)

    def can(self, action: str) -> bool:
        """Whether this user may ``action``; demo mode (no user) may everything on the demo data."""
        return self.user is None or can(self.user, action)

    @property
    def may_import(self) -> bool:
        """Whether the import page is offered (an importing role, or the first run before any account)."""
        if self.user is not None:
            return can(self.user, "import")
        return self.accounts is None or not self.accounts.has_users()
