"""Many kudos at once (a thank-you day, a team that thanks each other after a launch) fold
into one card per channel, within the same fold window and threshold as awards."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from services.notify.community_facts import KudosBurstFacts, KudosFacts, Tally
from services.notify.digest import Fold
from services.notify.facts import Facts, load_facts
from services.notify.models import OutboxEntry

PAIRS_KEPT = 50


def _ranked(tallies: Iterable[tuple[str, int]]) -> list[Tally]:
    ordered = sorted(tallies, key=lambda item: (-item[1], item[0]))
    return [Tally(label=label, count=count) for label, count in ordered]


def kudos_burst_of(entries: Sequence[OutboxEntry]) -> KudosBurstFacts:
    """The digest of these kudos cards: every value counted, the first pairs kept."""
    values: Counter[str] = Counter()
    pairs: list[list[str]] = []
    for entry in entries:
        facts = load_facts(entry.facts)
        if not isinstance(facts, KudosFacts):
            continue
        values[facts.value] += 1
        if len(pairs) < PAIRS_KEPT:
            pairs.append([facts.giver, facts.receiver])
    return KudosBurstFacts(total=len(entries), values=_ranked(values.items()), pairs=pairs)


def merged_kudos(first: Facts, then: Facts) -> Facts:
    """One digest of the kudos of both: counts added, the first pairs kept."""
    assert isinstance(first, KudosBurstFacts) and isinstance(then, KudosBurstFacts)
    values: Counter[str] = Counter()
    for tally in [*first.values, *then.values]:
        values[tally.label] += tally.count
    return KudosBurstFacts(
        total=first.total + then.total,
        values=_ranked(values.items()),
        pairs=[*first.pairs, *then.pairs][:PAIRS_KEPT],
    )


KUDOS_FOLD = Fold("kudos_burst", ("kudos",), kudos_burst_of, merged_kudos)
