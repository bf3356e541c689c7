"""The adoption cockpit (``/insights``): figures an adoption lead reads from the insight cube.

:mod:`.weeks` says which weeks are shown, :mod:`.groups` which groups may be shown,
:mod:`.compute` turns the cube's cells into the charts (:mod:`.models`), :mod:`.flags`
judges departments growing or stagnating, :mod:`.tiers` and :mod:`.texts` give the
words, :mod:`.table` the CSV of each chart and :mod:`.read` gathers the cells.
"""
