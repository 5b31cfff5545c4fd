"""The worker's web port: the routes (`routes`), their access rule (`auth`) and the
dashboard's static assets."""


def asset(name: str) -> tuple[bytes, str]:
    """Placeholder until the dashboard assets land."""
    if name != "index.html":
        raise FileNotFoundError(name)
    return b"<!doctype html><title>newsflow</title>", "text/html"
