"""What the documents app tells others, sent after the change is committed."""

from django.dispatch import Signal

# A document (or a new version of it) was shared with the team: sender=Document, document=, version=, actor=.
document_shared = Signal()
