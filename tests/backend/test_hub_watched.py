"""What the hub tells its follower to bring (``Hub.watched``): the runs a WebSocket
watches here, and not those a ``?wait`` request only waits for."""

from __future__ import annotations

from backend.ws.hub import Hub


def test_watchers_are_followed_and_waiters_are_not() -> None:
    hub = Hub()
    with hub.subscribe("waited", live=False):
        assert "waited" not in hub.watched
        with hub.subscribe("watched"), hub.subscribe("watched"):
            assert sorted(hub.watched) == ["watched"]
        assert len(hub.watched) == 0  # the last watcher left
    with hub.subscribe("again"):
        assert "again" in hub.watched
    assert len(hub.watched) == 0
