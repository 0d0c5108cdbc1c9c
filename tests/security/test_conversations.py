"""A conversation belongs to whoever started it; ids are made by the server (finding 2)."""

from __future__ import annotations

import re

QUESTION = "南沙企业所得税优惠税率是多少？"


def _ask_api(client, conversation_id: str | None = None):  # type: ignore[no-untyped-def]
    body = {"question": QUESTION} | (
        {"conversation_id": conversation_id} if conversation_id else {}
    )
    return client.post("/api/v1/chat", json=body)


def test_another_company_cannot_read_or_continue_a_conversation(world) -> None:  # type: ignore[no-untyped-def]
    mine = _ask_api(world.a.client).json()["conversation_id"]

    assert world.a.client.get(f"/chat?c={mine}").status_code == 200
    assert world.b.client.get(f"/chat?c={mine}").status_code == 404
    assert world.fresh().get(f"/chat?c={mine}").status_code == 404  # signed out
    assert _ask_api(world.b.client, mine).status_code == 404
    page_post = world.b.client.post(
        "/chat", data={"question": QUESTION, "conversation_id": mine, "csrf_token": world.b.csrf}
    )
    assert page_post.status_code == 404
    assert _ask_api(world.a.client, mine).json()["conversation_id"] == mine  # the owner goes on


def test_a_client_chosen_id_starts_a_new_server_made_conversation(world) -> None:  # type: ignore[no-untyped-def]
    chosen = "attacker-chosen-conversation-id"

    answered = _ask_api(world.a.client, chosen).json()

    assert answered["conversation_id"] != chosen
    assert re.fullmatch(r"[0-9a-f]{32}", answered["conversation_id"])
    unknown = world.a.client.get(f"/chat?c={chosen}")
    assert unknown.status_code == 200 and f'value="{chosen}"' not in unknown.text  # empty


def test_a_visitor_owns_their_conversation_by_cookie(world) -> None:  # type: ignore[no-untyped-def]
    visitor, other = world.fresh(), world.fresh()
    asked = visitor.post("/chat", data={"question": QUESTION}, follow_redirects=False)
    assert asked.status_code == 303
    location = asked.headers["location"]
    conversation = re.search(r"c=([0-9a-f]+)", location).group(1)  # type: ignore[union-attr]

    assert visitor.get(f"/chat?c={conversation}").status_code == 200
    assert QUESTION in visitor.get(f"/chat?c={conversation}").text
    assert other.get(f"/chat?c={conversation}").status_code == 404
    assert world.a.client.get(f"/chat?c={conversation}").status_code == 404


def test_a_link_to_an_attackers_conversation_does_not_collect_the_victims_question(world) -> None:  # type: ignore[no-untyped-def]
    trap = _ask_api(world.b.client).json()["conversation_id"]

    victim = world.a.client.post(
        "/chat",
        data={"question": "我的商业秘密问题", "conversation_id": trap, "csrf_token": world.a.csrf},
    )

    assert victim.status_code == 404
    assert "我的商业秘密问题" not in world.b.client.get(f"/chat?c={trap}").text
