"""Community and recognition: kudos, success stories, the use-case library, "I tried this",
claim codes and finding colleagues by name.

Each module holds one concept: its tables, and the functions the routers call inside
one transaction. Points go through :mod:`services.api.recognition`, announcements
through :mod:`services.api.outbox`, in the transaction of the change they follow.
"""
