"""The emails the booking app sends: composed alike (compose), about a change of a booking
(changes), and the links sent to whoever booked (link_emails)."""
