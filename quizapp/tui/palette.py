"""The command palette finds the bank too: a template ("adam") opens it in Check my work, a topic
("optimizers") sets up a practice quiz on it. Each hit posts a message up to the app."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.command import Hit, Hits, Provider

from quizapp.tui.handle import study
from quizapp.tui.messages import CheckTemplate, PracticeTopic


class BankCommands(Provider):
    """Templates (by id, title and topic) and topics of the loaded bank."""

    def _entries(self) -> Iterator[tuple[str, str, object]]:
        bank = study(self).bank
        if bank is None:
            return
        for topic in bank.topics():
            yield f"Practise {topic}", "Practice quiz on this topic", PracticeTopic(topic)
        for tid in bank.ids():
            template = bank.get(tid)
            yield (f"{template.title} ({tid})", f"{template.topic}: check your work on this question",
                   CheckTemplate(tid))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, message in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self.app.post_message, message), text=text,
                          help=help_text)
