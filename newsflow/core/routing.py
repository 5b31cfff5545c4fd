"""The categories enrichment assigns; each is also a route of the shipped rule set.

Which routes an article goes to is decided by a rule set (`newsflow.core.rules`): the
shipped one (`newsflow/data/routes.yaml`) sends an article to the route of each of its
categories, adds the routes of a few salient organisations, and to "general" when
nothing matched; operators replace it live with `newsflow routes apply`.
"""

from __future__ import annotations

#: Categories enrichment can assign, in the order ties are broken.
CATEGORIES: tuple[str, ...] = (
    "politics",
    "economy",
    "conflict",
    "science_tech",
    "health",
    "sports",
    "culture",
)
