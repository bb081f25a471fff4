"""Opportunities: an AHSN's invitation to take part, the people who say "I'm interested", and
choosing among them.

Its own app rather than part of `involvement` because an opportunity is not an activity: it can
be a standing role with no activity at all (a forum seat, a lay reviewer for a year), or a series
of several activities; it has its own lifecycle (draft, open, closed, filled, cancelled) and its
own audience (every partner linked to the AHSN, or the public); and `involvement` is already
large. Selecting someone hands over to `involvement.services.participation_add`, so attendance
and claims work unchanged."""
