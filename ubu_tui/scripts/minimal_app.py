"""The yardstick: the smallest Textual app that starts and redraws one line per key."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static


class Minimal(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Static("Ny uppföljning", id="line")

    def on_key(self) -> None:
        self.count += 1
        self.query_one("#line", Static).update(f"item_{self.count:03d}")


if __name__ == "__main__":
    Minimal().run()
