"""One module per ``kk`` subcommand; each defines ``command``."""

from __future__ import annotations

__all__: list[str] = []
