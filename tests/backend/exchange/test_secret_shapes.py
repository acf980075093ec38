"""The shapes of real keys, short ones included, against words and ids that only look alike.

Every sample is made up: shaped like the real thing (prefix, alphabet, length), never a
key anyone issued.
"""

from __future__ import annotations

import pytest

from backend.exchange.secret_scan import scan_document

# (kind, param, value): each must be found, as that kind.
KEYS = [
    ("openai_key", "template", "sk-T3BlbkFJq8Zr2Lw5Nx7Vc1Bm4Hk6Pd9Sg0Yt3Fa5Ej7Ku2Io4Ql6We8Rn1"),
    ("openai_key", "template", "sk-Ab3dEf6hIj9kLm2n"),
    ("openai_key", "template", "sk-proj-Ab3d_Ef6h-Ij9kLm2nOp5qRs8tUv1wXy4z"),
    ("openai_key", "template", "sk-svcacct-Qm4Lp8Zx2Nv6Wb1Tc5Yd9Rf3Hg7Ks0Ju"),
    ("openai_key", "template", "sk-admin-7Hq2Wm9Xp4Lz6Vn1Bc8Tr3Yk5Sd0Fg"),
    ("openai_key", "template", "Call the API with sk-Zz9yXx8wVv7uTt6sRr5q please."),
    ("openai_key", "stop", ["Human:", "sk-Pq7Rs2Tu9Vw4Xy6Za1Bc3De"]),
    ("anthropic_key", "template", "sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c-AbCdEf_12"),
    ("anthropic_key", "template", "sk-ant-admin01-Rk4Tm8Wq2Xz6Lp0Nb5Vc9Hd3Js7Gf"),
    ("anthropic_key", "template", 'headers: {"x-api-key": "sk-ant-Xy12Ab34Cd56Ef78"}'),
    ("aws_access_key", "template", "aws_access_key_id = AKIA2E0A8F3B244C9986"),
    ("aws_access_key", "template", "ASIAY34FZKBOKMUTVV7A"),
    ("google_api_key", "template", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
    (
        "google_api_key",
        "base_url",
        "https://maps.googleapis.com/maps/api/geocode/json?key=AIzaSyB4x9Qw2Lr7Tz1Kp5Nm8Vc3Hd6Js0GfQ2a",
    ),
    ("slack_token", "template", "xoxb-2048123456-7389012345678-Gh4Jk7Lm0Np3Qr6St9Vw"),
    ("slack_token", "template", "xoxp-1234567890-2345678901-3456789012-8f2a6c4e1b"),
    ("slack_token", "template", "xoxe-1-My4Nq8Rt2Vx6Zb0Dc3Fg7Hj1Kl5"),
    ("github_token", "template", "ghp_R2d2C3p0Bb8Yoda1Luke9Leia4Han5SoloChew"),
    ("github_token", "template", "gho_16C7e42F292c6912E7710c838347Ae178B4a"),
    ("github_token", "template", "github_pat_11ABCDEFG0Qz8Lm3Np7Rs2Tv6Xw1Yb5Cd9_Fh4Jk8Mn2Pq"),
    (
        "jwt",
        "template",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9",
    ),
    (
        "jwt",
        "headers",
        {"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJub2RlbG9vbSJ9.c2lnbmF0dXJl"},
    ),
    ("pinecone_key", "template", "pcsk_4Fh2K_9sLq7TzXv3BnMw8RcYd1PjEo6UaGi"),
    (
        "private_key",
        "template",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----",
    ),
    ("url_password", "connection", "postgresql://nodeloom:s3cr3t-pw@db.internal:5432/app"),
    ("url_password", "base_url", "redis://:p4ssw0rd@cache.internal:6379/0"),
    ("bearer_token", "template", "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    ("key_like_value", "api_key", "3f1e9c2ab7d44e0f8c6b5a1d2e3f4a5b"),
    ("key_like_value", "password", "Tr0ub4dor&3"),
    ("key_like_value", "auth_token", "Zq8mX2vN7rL4tP9wK3sJ6hG1dF5aB0cE"),
]

# (param, value): none of these is a key.
LOOK_ALIKES = [
    ("template", "We trained it with sk-learn, as everyone calls scikit-learn."),
    ("template", "pip install scikit-learn==1.5.0 sk-learn-extras"),
    ("template", "The skeleton-key opens every door."),
    ("session_id", "5c2e8a8e-0d57-4e59-8a6c-3b1f9e7c2d11"),
    ("template", "Fixed in commit 3f1e9c2ab7d44e0f8c6b5a1d2e3f4a5b6c7d8e9f."),
    ("template", "SGVsbG8sIHdvcmxkIQ=="),
    ("template", "AWS access key ids start with AKIA, temporary ones with ASIA."),
    ("api_key", "{api_key}"),
    ("api_key", "${OPENAI_API_KEY}"),
    ("template", "Too short to be a key: sk-Ab3dEf6hIj"),
    ("template", "sk-learn-classification-2024"),
    ("template", "Tag: task-1234567890abcdefghijk"),
    ("template", "Google API keys begin with AIza and are 39 characters long."),
    ("template", "xoxo-hugs-and-kisses-1234567890"),
    ("template", "ghp_short1234"),
    ("template", "eyJhbGciOiJIUzI1NiJ9 is only a JWT header."),
    ("template", "Send Bearer <token> in the header."),
    ("connection", "postgresql://reader@db.internal:5432/app"),
    ("template", "See https://docs.example.com/sk-guide/api-keys-explained"),
    ("model", "claude-3-5-sonnet-20241022"),
    ("template", "export OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxx"),
    ("template", "Paste sk-your-openai-key-goes-here into the form."),
    ("template", "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX"),
    ("template", "ASIA-PACIFIC-REGION-2024 sales"),
    ("template", "sk-2024-annual-report-final-draft"),
    ("api_key", "<your-api-key>"),
    (
        "public_key",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk7lq5Yb7cVx0FhA1C2B3D4E5F6G7H8I9J0 me@laptop",
    ),
    ("template", "sha256:9f86d081884c7d659a2feaf0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ("template", "xoxb-your-bot-token"),
    ("author", "JaneDoeTheGreat2024"),
]


def _document(name: str, value: object) -> dict:
    node = {"id": "n", "type": "data.text", "position": {"x": 0, "y": 0}, "params": {name: value}}
    return {"nodes": [node]}


def test_the_tables_hold_thirty_of_each():
    assert len(KEYS) == 30
    assert len(LOOK_ALIKES) == 30


@pytest.mark.parametrize(
    ("kind", "name", "value"), KEYS, ids=[f"{k}-{i}" for i, (k, *_) in enumerate(KEYS)]
)
def test_a_key_shaped_value_is_found_as_its_kind(kind: str, name: str, value: object):
    findings = scan_document(_document(name, value))

    assert [finding.kind for finding in findings] == [kind]
    assert findings[0].pointer.startswith(f"/nodes/0/params/{name}")


@pytest.mark.parametrize(("name", "value"), LOOK_ALIKES, ids=[v[:30] for _, v in LOOK_ALIKES])
def test_a_look_alike_is_not_a_key(name: str, value: str):
    assert scan_document(_document(name, value)) == []


def test_two_keys_in_one_text_are_two_findings_each_spanning_its_key():
    anthropic = "sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c"
    openai = "sk-proj-Ab3d_Ef6h-Ij9kLm2nOp5qRs8tUv1wXy4z"
    text = f"Claude: {anthropic}\nGPT: «{openai}»"

    findings = scan_document(_document("template", text))

    assert [(f.kind, text[f.start : f.end], f.provider) for f in findings] == [
        ("anthropic_key", anthropic, "anthropic"),
        ("openai_key", openai, "openai"),
    ]
    assert {f.param_pointer for f in findings} == {"/template"}


def test_spans_count_code_points_and_cover_only_the_secret():
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9"
    url = "postgresql://app:hunter2pw@db.internal:5432/app?sslmode=require"
    text = f"🔑 Authorization: Bearer {token} then {url}"

    findings = scan_document(_document("template", text))

    assert [(f.kind, text[f.start : f.end], f.provider) for f in findings] == [
        ("jwt", token, None),
        ("url_password", url, "postgres"),
    ]


def test_a_whole_key_named_value_is_spanned_without_its_edge_spaces():
    (finding,) = scan_document(_document("api_key", "  3f1e9c2ab7d44e0f8c6b5a1d2e3f4a5b "))

    assert (finding.kind, finding.start, finding.end, finding.provider) == (
        "key_like_value",
        2,
        34,
        None,
    )
