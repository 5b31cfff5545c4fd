# The compiled module's interface (newsflow/entities/_textscan.pyx), for type checking.
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T", bound=tuple[Any, ...])

def fold_offsets(text: str) -> tuple[str, list[int]]: ...
def match_rewrite(
    norm: str, offsets: list[int], extra: dict[str, str], stem: Callable[[str], str]
) -> tuple[str, list[int]]: ...
def tokenize(text: str, token: type[_T]) -> list[_T]: ...
