"""FHIR Subscriptions (R4 Subscriptions Backport IG, topic-based), rest-hook channel.

Other systems subscribe to changes of a person's CarePlan, Goal, Task, Communication, Appointment and
DocumentReference; the background worker (decision 0024) sends id-only notifications with a handshake,
heartbeats, retries with back-off and ``$status``. Decision 0033.
"""
