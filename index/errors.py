"""Typed errors, turned into one readable line at the edges (CLI, web chat).

Every message is meant for people: what is wrong and what to do about it.
"""

from __future__ import annotations


class SanadError(Exception):
    """Base class for errors a user can act on."""


class BadQuestionError(SanadError):
    pass


class ModelNotAvailableError(SanadError):
    pass


class IndexProblem(SanadError):
    """The index directory is missing, corrupted or built differently."""


class IndexNotFoundError(IndexProblem):
    pass


class IndexMismatchError(IndexProblem):
    pass


class IndexCorruptError(IndexProblem):
    pass


class IndexLockedError(IndexProblem):
    pass
