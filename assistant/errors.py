"""The errors the answer path raises; defined with the index's so both sides share one hierarchy."""

from index.errors import (
    BadQuestionError,
    IndexCorruptError,
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
    IndexProblem,
    ModelNotAvailableError,
    SanadError,
)

__all__ = [
    "BadQuestionError",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexMismatchError",
    "IndexNotFoundError",
    "IndexProblem",
    "ModelNotAvailableError",
    "SanadError",
]
