"""What the parse stage is told: limits and per-site time zones.

Apart from `parse`, so that the settings and `newsflow process` (which only hand these
to the parse stage's process) do not import the whole extraction package to build them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

DEFAULT_SITE_TIMEZONES: Mapping[str, str] = MappingProxyType(
    {
        "mehrnews.com": "Asia/Tehran",
        "tasnimnews.com": "Asia/Tehran",
        "irna.ir": "Asia/Tehran",
        "isna.ir": "Asia/Tehran",
        "farsnews.ir": "Asia/Tehran",
        "khabaronline.ir": "Asia/Tehran",
        "presstv.ir": "Asia/Tehran",
        "alalam.ir": "Asia/Tehran",
        "youm7.com": "Africa/Cairo",
        "ahram.org.eg": "Africa/Cairo",
        "alyaum.com": "Asia/Riyadh",
        "albayan.ae": "Asia/Dubai",
        "lbcgroup.tv": "Asia/Beirut",
        "assabah.com.tn": "Africa/Tunis",
        "aljazeera.net": "Asia/Qatar",
        "alarabiya.net": "Asia/Dubai",
        "almayadeen.net": "Asia/Beirut",
    }
)


@dataclass(frozen=True)
class ParseOptions:
    """Limits and per-site knowledge for ``parse_page``."""

    max_bytes: int = 10_000_000
    # A plain dict: the options are pickled into the stage process, a mappingproxy is not.
    site_timezones: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SITE_TIMEZONES))
    timeout_s: float = 10.0
    # The compiled classification/walk when built; False forces the Python passes.
    compiled: bool = True
