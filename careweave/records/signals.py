"""What the domain tells the doors, so that the domain never imports a door (decision 0020).

The domain apps (assessments, territory, consultations) say *that* something changed; the FHIR app
(``fhir/apps.py``) listens and writes its face of it: an assessment's score Observations and a
referral's ServiceRequest in the person's integrated record, a version snapshot for ``_history``.
Receivers run synchronously, inside the action's transaction: a failure undoes the action.
"""

from django.dispatch import Signal

# ``instance``: an Assessment whose scores (or privacy, or status) changed.
scores_changed = Signal()
# ``instance``: a Referral that was created or moved on.
referral_changed = Signal()
# ``instance``: a record whose current version must be snapshotted now (after a change ``save`` did
# not see, e.g. a relation added after the first save); ``using``: the database.
version_changed = Signal()
