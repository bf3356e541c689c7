"""The champions programme: ambassadors per department whom colleagues can ask for help.

- :mod:`.membership`: apply, nominate, approve, reject, retire (``ChampionChanged``);
- :mod:`.roster`: who can help me, per department (names only where allowed);
- :mod:`.access`: ``ChampionDep``, an approved champion (or an admin) and their departments;
- :mod:`.dashboard`: a champion's departments in aggregates (:mod:`services.api.insights`);
- :mod:`.tips`: a use case sent to a department's channel (``TipPosted``), a few a day;
- :mod:`.events` and :mod:`.checkins`: lunch & learns, office hours and prompt-a-thons
  with rotating check-in codes (:mod:`.codes`) that grant points to attendees and hosts;
- :mod:`.activities`: blog posts, trainings given and the like, approved by an admin.

Every change is announced through the gateway's outbox in its own transaction, and every
point goes through :mod:`services.api.recognition`.
"""
