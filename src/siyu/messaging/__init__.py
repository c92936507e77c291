"""How domains talk without knowing each other: the job queue (Huey app, ``run_async``), the
outbox that enqueues jobs when a unit of work commits, and the in-process domain-event bus."""
