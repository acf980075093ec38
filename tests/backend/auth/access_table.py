"""Who may do what: the expected-access table of every route, keyed by operation id
(WebSockets by ``ws:<name>``, other routes by ``<METHOD> <path>``). The README's
"Accounts and sharing" section shows the same table; ``test_access_matrix`` checks both.

Principals: the workflow's ``owner``; an ``other`` signed-in user; ``anonymous``; a
visitor holding a ``view``, ``run`` or ``edit`` link (anonymous, except the edit-link
visitor, who is signed in as another user, as saving through an edit link needs); a
visitor holding a ``revoked`` or an ``expired`` link. On ``/shared/{token}`` routes the
owner, the other user and anonymous use a token that was never issued.
"""

from __future__ import annotations

OK = "ok"
PRINCIPALS = ("owner", "other", "anonymous", "view", "run", "edit", "revoked", "expired")

# Each kind of access: the answer for each principal, in PRINCIPALS order (ok = 2xx; for
# WebSockets ok = the events then close 1000, 401 = close 4401, 404 = close 4404).
KINDS: dict[str, tuple[str, ...]] = {
    "public": (OK, OK, OK, OK, OK, OK, OK, OK),
    "signed-in": (OK, OK, "401", "401", "401", OK, "401", "401"),
    "owner": (OK, "404", "401", "401", "401", "404", "401", "401"),
    "admin": (OK, "404", "401", "401", "401", "404", "401", "401"),  # the owner is the admin
    "link-view": ("404", "404", "404", OK, OK, OK, "404", "404"),
    "link-run": ("404", "404", "404", "403", OK, OK, "404", "404"),
    "link-edit": ("404", "404", "404", "403", "403", OK, "404", "404"),
    "link-copy": ("404", "404", "404", "401", "401", OK, "404", "404"),
}

ACCESS: dict[str, str] = {
    # service
    "health": "public",
    "ready": "public",
    "getWorkflowSchema": "public",
    "listNodeTypes": "public",
    "GET /metrics": "public",
    "GET /openapi.json": "public",
    "GET /docs": "public",
    "GET /docs/oauth2-redirect": "public",
    "GET /{path:path}": "public",  # the app's pages; their data comes from the API
    # accounts
    "getMe": "public",
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
    return KINDS[ACCESS[key]][PRINCIPALS.index(principal)]
