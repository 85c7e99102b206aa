"""The mail side: building emails (``emails``), deciding who gets which
(``notifications``, ``reminders``, ``digests``) and delivering the outbox
(``outbox``). These modules write ``OutboundEmail`` rows; queueing a worker to
deliver them is ``campaign.tasks``' job, so nothing here imports the tasks."""
