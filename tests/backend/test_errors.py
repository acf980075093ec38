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


def test_not_found_errors_keep_their_codes_and_messages():
    from backend.auth import errors as auth_errors

    cases = [
        (
            errors_module.WorkflowNotFound("w1"),
            "workflow_not_found",
            "There is no workflow with id 'w1'.",
        ),
        (
            errors_module.VersionNotFound("w1", 3),
            "version_not_found",
            "Workflow 'w1' has no version 3.",
        ),
        (errors_module.RunNotFound("r1"), "run_not_found", "There is no run with id 'r1'."),
        (auth_errors.UserNotFound("u1"), "user_not_found", "There is no user with id 'u1'."),
        (
            auth_errors.ApiKeyNotFound("k1"),
            "api_key_not_found",
            "You have no API key with id 'k1'.",
        ),
        (
            auth_errors.NoSuchCredential("c1"),
            "credential_not_found",
            "You have no credential with id 'c1'.",
        ),
        (
            auth_errors.LinkNotFound(),
            "link_not_found",
            "This link no longer works: it was revoked, it expired, or it never was.",
        ),
        (
            auth_errors.AccountsOff(),
            "accounts_off",
            "This server runs in single-person mode (NODELOOM_AUTH=off): there are no accounts.",
        ),
        (auth_errors.AdminOnly(), "not_found", "There is nothing at this address."),
    ]

    for error, code, detail in cases:
        assert (error.code, error.status, error.detail) == (code, 404, detail)


def test_a_not_found_error_given_the_wrong_number_of_values_says_which_it_takes():
    try:
        errors_module.VersionNotFound("w1")
    except TypeError as error:
        assert "workflow_id" in str(error) and "version" in str(error)
    else:
        raise AssertionError("VersionNotFound accepted one value")
