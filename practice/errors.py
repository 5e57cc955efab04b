"""The one error shape the services share with the pages and the API."""


class UserFacingError(Exception):
    """A rule said no; ``message`` is written for the client and safe to show them."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
