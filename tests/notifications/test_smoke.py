from careweave.notifications.models import Notification


def test_cast_builds_with_notifications(cast):
    assert Notification.objects.filter(recipient=cast.nurse.user, event__kind="task_assigned").count() == 2
