"""The newsletter: a weekly or monthly issue of successes, top teams, new badges and a tip.

:mod:`.periods` names the weeks and months an issue covers, :mod:`.content` gathers
what happened in one (aggregates, and names only of authors who may be named),
:mod:`.compose` words it in nl, en and fr, :mod:`.email` lays it out as an email, and
:mod:`.issues` records an issue sent and announces it for notify to post.
"""
