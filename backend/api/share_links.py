"""The owner's side of share links: create (the token is shown once), list, change what
visitors see, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Path, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from backend.api.deps import CurrentUser, SessionDep, WorkflowIdDep
from backend.api.problems import problem_responses
from backend.auth import link_access
from backend.auth.link_access import Scope
from backend.db import workflow_store as store
from backend.db.models import ShareLinkRecord, utcnow

router = APIRouter(tags=["sharing"])

SHARE_PATH = "/s/"
SHOW_OWNER_LATEST_RUN = (
    "Whether visitors also see your latest run (inputs and outputs included). Visitors "
    "always see the runs they start themselves, and never one another's."
)


class NewShareLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: Scope = Field(
        description="`view`: read-only; `run`: view and run with inputs (your credentials); "
        "`edit`: signed-in visitors may save versions."
    )
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the link stops working (with a time zone); never if unset."
    )
    run_limit_per_hour: int | None = Field(
        default=None, ge=1, le=10_000, description="Runs the link may start per hour."
    )
    show_owner_latest_run: bool = Field(default=False, description=SHOW_OWNER_LATEST_RUN)

    @model_validator(mode="after")
    def _in_the_future(self) -> Self:
        if self.expires_at is not None and self.expires_at <= utcnow():
            raise ValueError("expires_at must be in the future")
        return self


class ShareLink(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    workflow_id: str
    scope: Scope
    expires_at: datetime | None
    run_limit_per_hour: int | None
    show_owner_latest_run: bool = Field(description=SHOW_OWNER_LATEST_RUN)
    created_at: datetime
    revoked_at: datetime | None
    token_prefix: str = Field(description="The token's first characters, to tell links apart.")


class ShareLinkChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    show_owner_latest_run: bool = Field(description=SHOW_OWNER_LATEST_RUN)


class CreatedShareLink(ShareLink):
    token: str = Field(description="The link's secret token: shown this once, never again.")
    url: str = Field(description="The app path that opens the link: `/s/<token>`.")


LinkId = Annotated[str, Path(max_length=64, description="The link's id.")]


def share_link(record: ShareLinkRecord) -> ShareLink:
    return ShareLink.model_validate(record)


@router.post(
    "/workflows/{workflow_id}/share-links",
    operation_id="createShareLink",
    status_code=201,
    response_model=CreatedShareLink,
    responses=problem_responses(400, 401, 404, 413, 422),
)
async def create_share_link(
    workflow_id: WorkflowIdDep, body: NewShareLink, user: CurrentUser, session: SessionDep
) -> CreatedShareLink:
    """A new link to the workflow; its token is in this answer only."""
    await store.get_workflow(session, workflow_id)  # single-person mode: it must exist
    record, token = await link_access.create_link(
        session,
        workflow_id=workflow_id,
        owner_id=user.user_id,
        scope=body.scope,
        expires_at=body.expires_at,
        run_limit_per_hour=body.run_limit_per_hour,
        show_owner_latest_run=body.show_owner_latest_run,
    )
    return CreatedShareLink(
        **share_link(record).model_dump(), token=token, url=f"{SHARE_PATH}{token}"
    )


@router.get(
    "/workflows/{workflow_id}/share-links",
    operation_id="listShareLinks",
    response_model=list[ShareLink],
    responses=problem_responses(401, 404),
)
async def list_share_links(workflow_id: WorkflowIdDep, session: SessionDep) -> list[ShareLink]:
    """The workflow's links, newest first, revoked ones included (never their tokens)."""
    await store.get_workflow(session, workflow_id)
    return [share_link(record) for record in await link_access.list_links(session, workflow_id)]


@router.patch(
    "/share-links/{link_id}",
    operation_id="updateShareLink",
    response_model=ShareLink,
    responses=problem_responses(400, 401, 404, 413, 422),
)
async def update_share_link(
    link_id: LinkId, body: ShareLinkChange, user: CurrentUser, session: SessionDep
) -> ShareLink:
    """Change whether the link's visitors see your latest run; from their next request."""
    record = await link_access.show_owner_latest_run(
        session, link_id, None if user.local else user.user_id, shown=body.show_owner_latest_run
    )
    return share_link(record)


@router.delete(
    "/share-links/{link_id}",
    operation_id="revokeShareLink",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Revoked: the link stops working at once."}}
    | problem_responses(401, 404),
)
async def revoke_share_link(link_id: LinkId, user: CurrentUser, session: SessionDep) -> Response:
    """Revoke a link; its next request gets `404`."""
    await link_access.revoke_link(session, link_id, None if user.local else user.user_id)
    return Response(status_code=204)
