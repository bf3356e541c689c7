"""Nudges: each week, per department, the apps where its Copilot use lags the organisation's,
with a use case to suggest and a one-click post to the department's channel."""
