"""Test helpers for kk_core and for the authors of storage adapters.

`kk_core.testing.strategies` holds hypothesis strategies that generate *valid* records
of every kind (``records()``, ``records_of("case")``, ``cases()``, ``referrals()`` …),
with unicode and long text in free-text fields, so an adapter can be tested on data as
awkward as the field will send it. `kk_core.testing.contract` is the contract suite a
storage adapter subclasses to prove itself.

This package needs the ``test`` extra (hypothesis, pytest). Importing `kk_core` itself
never imports this package, hypothesis or pytest.
"""

from __future__ import annotations

__all__: list[str] = []
