"""Background work: django-tasks with its database backend, a worker process and a scheduler (decision 0024).

Work is enqueued inside the action's transaction, so a job exists exactly when the change it follows
was committed; the worker (``careweave worker``, started by ``careweave serve``/``demo``) runs it.
"""
