"""Campaigns (trainings, champion events, challenges, newsletters) and their measured effect."""
