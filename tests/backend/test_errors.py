"""The backend's error hierarchy: one base, distinct codes, sensible statuses."""

from __future__ import annotations

import backend.errors as errors_module
from backend.errors import FieldProblem, NodeloomError, VersionConflict


def _error_classes() -> list[type[NodeloomError]]:
    return [
        value
        for value in vars(errors_module).values()
        if isinstance(value, type) and issubclass(value, NodeloomError)
    ]


def test_every_error_has_its_own_code_and_an_http_error_status():
    classes = _error_classes()
    codes = [cls.code for cls in classes]

    assert len(classes) >= 12
    assert len(codes) == len(set(codes))
    assert all(
        400 <= cls.status <= 599 and cls.title for cls in classes if cls is not NodeloomError
    )


def test_conflict_carries_the_current_version():
    error = VersionConflict(expected=3, current=5)

    assert error.extensions() == {"current_version": 5}
    assert "version 5, not 3" in error.detail


def test_field_problems_serialise_by_kind():
    assert FieldProblem("c", "m", pointer="").as_dict() == {
        "code": "c",
        "message": "m",
        "pointer": "",
    }
    assert FieldProblem("c", "m", parameter="q").as_dict() == {
        "code": "c",
        "message": "m",
        "parameter": "q",
        "in": "query",
    }
