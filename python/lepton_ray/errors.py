"""Coded errors answered with the same codes and HTTP statuses as Lepton's server.

The codes and statuses are not written here: they are Lepton server's catalogue (``server/src/errors.ts``), handed to
the application in its config by whoever deploys it (``errorCatalogue()`` of ``@lepton/server``), so the two servers
cannot drift apart. Only the messages are phrased here.
"""
from __future__ import annotations

from typing import Any, Mapping


class Catalogue:
    """The server's catalogue: entry name (``unknownInput``) -> ``{"code": ..., "status": ...}``."""

    def __init__(self, entries: Mapping[str, Mapping[str, Any]]):
        missing = [key for key in REQUIRED if key not in entries]
        if missing:
            raise ValueError(f"the error catalogue lacks {', '.join(missing)}: deploy with the @lepton/server that has them")
        self._entries = {key: (str(value["code"]), int(value["status"])) for key, value in entries.items()}

    def error(self, key: str, message: str, details: Mapping[str, Any] | None = None) -> "LeptonHttpError":
        """The error of catalogue entry ``key`` with ``message``."""
        code, status = self._entries[key]
        return LeptonHttpError(code, status, message, details)


class LeptonHttpError(Exception):
    """An error with a stable code and the HTTP status it is answered with (the body is ``{"error", "code"}``)."""

    def __init__(self, code: str, status: int, message: str, details: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.details = dict(details) if details else None

    def body(self) -> dict[str, Any]:
        """The JSON body, as Lepton's server writes it."""
        out: dict[str, Any] = {"error": self.message, "code": self.code}
        if self.details is not None:
            out["details"] = self.details
        return out


# The entries this application answers with; checked when the catalogue is loaded so a stale one fails the deploy.
REQUIRED = (
    "badJson", "badRequest", "unknownModel", "unknownVersion", "unknownInput", "missingInput", "duplicateInput",
    "badDatatype", "badShape", "badDataLength", "badValue", "batchMismatch", "unknownOutput", "noTransforms",
    "tooManyElements", "raggedData", "inferenceFailed", "notFound", "badContentType",
)
