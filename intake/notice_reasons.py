"""Why the practitioner is emailed about a response: the one vocabulary the service that
decides it (intake.services) and the email that says it (intake.notifications) share."""

SENT = "sent"  # the client pressed Send
SENT_READ_SOON = "sent_read_soon"  # … and it holds an answer she has not been told of yet
ALERTED = "alerted"  # an answer she sees before sending was saved
