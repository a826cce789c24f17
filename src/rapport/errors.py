"""Typed errors. Each carries the HTTP status the API answers with."""

from __future__ import annotations


class RapportError(Exception):
    """Base of every error a user may see; ``str(err)`` says what was wrong and where."""

    status_code = 400


class NotFound(RapportError):
    status_code = 404


class PermissionDenied(RapportError):
    status_code = 403


class AuthenticationFailed(RapportError):
    status_code = 401


class InvalidInput(RapportError):
    status_code = 422


class Conflict(RapportError):
    status_code = 409


class InvalidTrainingData(InvalidInput):
    """A labelled data file that cannot be trained or evaluated on; says file, line and column."""


class InvalidModel(RapportError):
    """A model folder that is missing, corrupt or not a model of the expected kind."""

    status_code = 422


class PayloadTooLarge(RapportError):
    """An upload over the size the server accepts."""

    status_code = 413


class ModelsMismatch(Conflict):
    """A job queued for one set of models, handed to a worker whose models differ: it is
    refused rather than stored under the wrong version."""


class WorkersStalled(RapportError):
    """Work handed to background workers that none has moved on for too long; what was
    done is kept and the rest stays queued."""

    status_code = 504
