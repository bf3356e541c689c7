"""Fault suite: Uptake's services as processes, faults injected while signals flow.

``python -m devtools.faults [--scale small|full] [scenario ...]`` kills, restarts
and starves the services and their infrastructure while signals stream in, then
checks that the ledger equals a clean run's, that the boards equal a rebuild
from the ledger and that every card was posted exactly once.
"""
