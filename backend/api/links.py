"""OpenAPI links: how one operation's answer names what the next one acts on.

A client reads them as "after creating a workflow, its id opens, saves and runs it"; the
stateful schemathesis test follows them to chain real calls (create → save with the ETag
→ run → cancel). Each producer lists the operations its answer feeds, with OpenAPI
runtime expressions for their parameters.
"""

from __future__ import annotations

from typing import Any

_ID = "$response.body#/id"
_ETAG = "$response.header.ETag"
_ON_WORKFLOW = {"path.workflow_id": _ID}
_AT_VERSION = {"path.workflow_id": _ID, "path.version": "$response.body#/version"}

# Everything a workflow's id (and its version, as the ETag) opens.
_WORKFLOW_LINKS: dict[str, dict[str, str]] = {
    "getWorkflow": _ON_WORKFLOW,
    "updateWorkflow": {**_ON_WORKFLOW, "header.If-Match": _ETAG},
    "renameWorkflow": {**_ON_WORKFLOW, "header.If-Match": _ETAG},
    "duplicateWorkflow": _ON_WORKFLOW,
    "deleteWorkflow": _ON_WORKFLOW,
    "exportWorkflow": _ON_WORKFLOW,
    "listWorkflowVersions": _ON_WORKFLOW,
    "getWorkflowVersion": _AT_VERSION,
    "restoreWorkflowVersion": {**_AT_VERSION, "header.If-Match": _ETAG},
    "startRun": _ON_WORKFLOW,
    "listWorkflowRuns": _ON_WORKFLOW,
    "createShareLink": _ON_WORKFLOW,
    "listShareLinks": _ON_WORKFLOW,
}
_RUN_LINKS = {
    "getRun": {"path.run_id": _ID},
    "cancelRun": {"path.run_id": _ID},
    "listRunEvents": {"path.run_id": _ID},
}
_SHARED = {"path.token": "$response.body#/token"}
_SHARE_LINK_LINKS = {
    "updateShareLink": {"path.link_id": _ID},
    "revokeShareLink": {"path.link_id": _ID},
    "getSharedWorkflow": _SHARED,
    "listSharedRuns": _SHARED,
    "startSharedRun": _SHARED,
    "duplicateShared": _SHARED,
}
_VISITOR_RUN_LINKS = {
    "getSharedRun": {"path.token": "$request.path.token", "path.run_id": _ID},
    "listSharedRunEvents": {"path.token": "$request.path.token", "path.run_id": _ID},
}
_CREDENTIAL_LINKS = {
    "updateCredential": {"path.credential_id": _ID},
    "checkCredential": {"path.credential_id": _ID},
    "deleteCredential": {"path.credential_id": _ID},
}

# producer operationId → (its answer's status, {operationId it feeds: parameters}).
LINKS: dict[str, tuple[str, dict[str, dict[str, str]]]] = {
    "createWorkflow": ("201", _WORKFLOW_LINKS),
    "importWorkflow": ("201", _WORKFLOW_LINKS),
    "duplicateWorkflow": ("201", _WORKFLOW_LINKS),
    "duplicateShared": ("201", _WORKFLOW_LINKS),
    "updateWorkflow": ("200", _WORKFLOW_LINKS),  # a save answers the next save's ETag
    "restoreWorkflowVersion": ("200", _WORKFLOW_LINKS),
    "startRun": ("202", _RUN_LINKS),
    "startSharedRun": ("202", _VISITOR_RUN_LINKS),
    "createShareLink": ("201", _SHARE_LINK_LINKS),
    "createCredential": ("201", _CREDENTIAL_LINKS),
    "createApiKey": ("201", {"revokeApiKey": {"path.key_id": _ID}}),
}


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Write ``LINKS`` into the responses of ``schema``; a link whose operation the schema
    lacks is left out (each one names a real operation: ``tests`` hold it to that)."""
    operations = {
        operation["operationId"]: operation
        for methods in schema.get("paths", {}).values()
        for operation in methods.values()
        if "operationId" in operation
    }
    for producer, (status, targets) in LINKS.items():
        response = operations.get(producer, {}).get("responses", {}).get(status)
        if response is None:
            continue
        response["links"] = {
            target: {"operationId": target, "parameters": dict(parameters)}
            for target, parameters in targets.items()
            if target in operations
        }
    return schema
