"""Taking secrets out of a document: references in credential params, cuts elsewhere."""

from __future__ import annotations

from api_support import document, node

from backend.exchange.secret_moves import Move, credential_params, remove_secrets
from backend.exchange.secret_scan import scan_document

OPENAI = "sk-proj-Ab3d_Ef6h-Ij9kLm2nOp5qRs8tUv1wXy4z"
ANTHROPIC = "sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2c"


def _moved(doc: dict, names: dict[str, str]) -> dict:
    """``doc`` with every finding moved into the credential named for its provider."""
    moves = [Move(f, names[f.provider], f.provider) for f in scan_document(doc)]
    return remove_secrets(doc, moves)


def test_the_credential_params_of_a_type_come_from_its_schema():
    assert credential_params("model.chat") == {"credential"}
    assert credential_params("vector.upsert") == {"credential"}
    assert credential_params("prompt.template") == frozenset()
    assert credential_params("no.such.type") == frozenset()


def test_a_key_in_a_credential_param_becomes_a_reference():
    chat = node("llm", "model.chat", provider="anthropic", credential=f"  {ANTHROPIC}")

    moved = _moved(document("Chat", [chat]), {"anthropic": "anthropic-chat"})

    assert moved["nodes"][0]["params"]["credential"] == {"$credential": "anthropic-chat"}


def test_keys_are_cut_from_text_and_fill_an_empty_credential_param_of_their_provider():
    text = f"Use {OPENAI} or {ANTHROPIC}, thanks"
    chat = node("llm", "model.chat", provider="openai", system_prompt=text, credential=None)
    original = document("Chat", [chat])

    moved = _moved(original, {"openai": "openai-chat", "anthropic": "anthropic-chat"})

    params = moved["nodes"][0]["params"]
    assert params["system_prompt"] == "Use  or , thanks"
    assert params["credential"] == {"$credential": "openai-chat"}  # the anthropic one: no
    assert original["nodes"][0]["params"]["system_prompt"] == text  # a copy was changed


def test_a_credential_param_already_set_is_left_alone():
    chat = node(
        "llm",
        "model.chat",
        provider="openai",
        system_prompt=OPENAI,
        credential={"$credential": "x"},
    )

    moved = _moved(document("Chat", [chat]), {"openai": "openai-chat"})

    assert moved["nodes"][0]["params"] == chat["params"] | {
        "system_prompt": "",
        "credential": {"$credential": "x"},
    }


def test_a_key_nested_in_a_list_is_cut_where_it_is():
    prompt = node("p", "prompt.template", template="Hi", stop=["ok", f"x {OPENAI} y"])

    moved = _moved(document("P", [prompt]), {"openai": "o"})

    assert moved["nodes"][0]["params"]["stop"] == ["ok", "x  y"]
