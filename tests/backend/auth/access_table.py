"""Who may do what: the expected access of every route in accounts mode, keyed by OpenAPI
operation id (WebSockets by ``ws:<name>``, routes outside the schema by ``<METHOD>
<path>``). ``test_access_matrix`` asks every route as every principal and compares; the
README's "Who may do what" is rendered from this table (``readme_block``) and checked.

The principals (``access_world.GUISES`` says how each one presents itself):

- ``owner``: the workflow's owner, an ordinary account (not the admin);
- ``other``: another signed-in account; ``admin``: the admin, a third account;
- ``anonymous``: no session, no key; ``revoked-key``: an API key of the owner, revoked;
- ``view``, ``run``: anonymous visitors holding a live link of that scope;
- ``edit``, ``revoked-link``, ``expired-link``, ``disabled-link``: the other account,
  signed in, holding an edit link: live; revoked; expired; live, but its owner's account
  is disabled. Signed in and edit-scoped, so a dead link is the only reason it is refused.

On ``/shared/{token}`` routes a principal without a link uses a token never issued. The
owner's live API key, sent from another site's page (a key needs no Origin check), must
answer as the owner (``SAME_AS``).

The admin has no say over other people's workflows, runs, credentials, keys or links:
there they answer ``404`` as to anyone else. The admin lists accounts and disables or
enables them (not their own); disabling one ends its sessions, API keys, share links and
queued runs. That is the admin's only reach into other people's work.
"""

from __future__ import annotations

OK = "ok"
PRINCIPALS = (
    "owner",
    "other",
    "admin",
    "anonymous",
    "revoked-key",
    "view",
    "run",
    "edit",
    "revoked-link",
    "expired-link",
    "disabled-link",
)
SAME_AS = {"owner-key": "owner"}  # asked too, and must answer exactly as the owner
_ALL_OK = (OK,) * len(PRINCIPALS)
_NO_LINK = ("404",) * 5  # owner, other, admin, anonymous, revoked-key: a token never issued
_DEAD_LINKS = ("404",) * 3

# Each kind of access: the answer for each principal, in PRINCIPALS order (ok = 2xx; for
# WebSockets ok = the events then close 1000, 401 = close 4401, 404 = close 4404).
KINDS: dict[str, tuple[str, ...]] = {
    "public": _ALL_OK,
    "caller": (OK, OK, OK, OK, "401", OK, OK, OK, OK, OK, OK),  # reads who asks
    "signed-in": (OK, OK, OK, "401", "401", "401", "401", OK, OK, OK, OK),
    "owner": (OK, "404", "404", "401", "401", "401", "401", "404", "404", "404", "404"),
    "admin": ("404", "404", OK, "401", "401", "401", "401", "404", "404", "404", "404"),
    "link-view": (*_NO_LINK, OK, OK, OK, *_DEAD_LINKS),
    "link-run": (*_NO_LINK, "403", OK, OK, *_DEAD_LINKS),
    "link-edit": (*_NO_LINK, "403", "403", OK, *_DEAD_LINKS),
    "link-copy": (*_NO_LINK, "401", "401", OK, *_DEAD_LINKS),
}

ACCESS: dict[str, str] = {
    # service
    "health": "public",
    "ready": "public",
    "getWorkflowSchema": "public",
    "listNodeTypes": "public",
    "GET /metrics": "public",
    "GET /openapi.json": "public",
    "GET /api/v1/asyncapi.json": "public",
    "GET /docs": "public",
    "GET /docs/oauth2-redirect": "public",
    "GET /{path:path}": "public",  # the app's pages; their data comes from the API
    # accounts
    "getMe": "caller",
    "signUp": "public",
    "logIn": "public",
    "logOut": "public",
    "listApiKeys": "signed-in",
    "createApiKey": "signed-in",
    "revokeApiKey": "owner",
    "listUsers": "admin",
    "updateUser": "admin",
    # workflows
    "listWorkflows": "signed-in",
    "createWorkflow": "signed-in",
    "validateWorkflow": "signed-in",
    "importWorkflow": "signed-in",
    "previewImport": "signed-in",
    "getWorkflow": "owner",
    "updateWorkflow": "owner",
    "renameWorkflow": "owner",
    "duplicateWorkflow": "owner",
    "deleteWorkflow": "owner",
    "exportWorkflow": "owner",
    "listWorkflowVersions": "owner",
    "getWorkflowVersion": "owner",
    "restoreWorkflowVersion": "owner",
    # runs
    "startRun": "owner",
    "getRun": "owner",
    "listWorkflowRuns": "owner",
    "cancelRun": "owner",
    "listRunEvents": "owner",
    "ws:runEvents": "owner",
    # credentials
    "listCredentials": "signed-in",
    "createCredential": "signed-in",
    "updateCredential": "owner",
    "deleteCredential": "owner",
    "checkCredential": "owner",
    # share links
    "createShareLink": "owner",
    "listShareLinks": "owner",
    "updateShareLink": "owner",
    "revokeShareLink": "owner",
    "getSharedWorkflow": "link-view",
    "listSharedRuns": "link-view",
    "getSharedRun": "link-view",
    "listSharedRunEvents": "link-view",
    "ws:sharedRunEvents": "link-view",
    "startSharedRun": "link-run",
    "saveSharedWorkflow": "link-edit",
    "duplicateShared": "link-copy",
}


def expected(key: str, principal: str) -> str:
    column = SAME_AS.get(principal, principal)
    return KINDS[ACCESS[key]][PRINCIPALS.index(column)]


def missing_entry_message(missing: list[str]) -> str:
    kinds = ", ".join(KINDS)
    return (
        f'no expected access for {", ".join(missing)}: add a line `"<key>": "<kind>",` '
        f"to ACCESS in tests/backend/auth/access_table.py (a kind is one of {kinds}), "
        "then paste the table the README test prints into the README"
    )


def readme_block() -> str:
    """The two tables of the README's "Who may do what", as they must stand there."""
    lines = [
        "| access | " + " | ".join(PRINCIPALS) + " |",
        "|---" * (len(PRINCIPALS) + 1) + "|",
        *(f"| {kind} | " + " | ".join(outcomes) + " |" for kind, outcomes in KINDS.items()),
        "",
        "| access | operations (OpenAPI operation ids; `ws:` the WebSockets) |",
        "|---|---|",
    ]
    for kind in KINDS:
        keys = ", ".join(f"`{key}`" for key, its in ACCESS.items() if its == kind)
        lines.append(f"| {kind} | {keys} |")
    return "\n".join(lines)
