"""Adoption insights, scoring's part: the rollups the cockpit reads.

``store.usage`` keeps the first level (``insight_usage_week``) in each batch's
transaction; :mod:`.cube` works out the group cube's cells, :mod:`.refresher` keeps the
cube up to date, :mod:`.rebuild` recomputes the first level from the stored signals
(``python -m services.scoring.insights rebuild``). Tables: :mod:`shared.insight_tables`.
"""
