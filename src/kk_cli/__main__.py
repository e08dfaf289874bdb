"""``python -m kk_cli``: the same as the ``kk`` command."""

from __future__ import annotations

from kk_cli.app import main

main()
