"""Notices, compose then deliver: templates in Kazakh, Russian and English, and outbox delivery via apprise.

A pure renderer turns an outbox row into a message; an apprise adapter delivers it, records every attempt and
the proof of delivery that acquaintance (C-1, Q-4, M-8) needs.
"""
