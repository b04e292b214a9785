"""People's actions, one function per action: ``(env, principal, *, as_of, …)`` → what it did, or :class:`Rejected`.

Each checks the action against the domain, writes it with its audit rows (``principal.actor``) in one transaction,
queues the notices it calls for, and returns a small frozen record; a refusal names the rule and changes nothing.
``sheets`` (D-, K-, Q-, M-4/M-6), ``acquaintance`` (C-1, C-2), ``calibration`` (C-3…C-6), ``commission`` (M-5…M-9),
``survey`` (T-3…T-7), ``people`` (HR's facts: E-3, E-4), ``lookup`` (which evaluation an action is about).
"""
