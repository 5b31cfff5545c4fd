"""newsflow: an event-driven stream processor for news pages."""

__version__ = "0.1.0"
