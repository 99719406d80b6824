"""A second corpus for per-utterance dictation: hibari-tts reading what people dictate.

The shared corpus (``../shared/speech``) is real speech but only 32 clips, much
of it read prose. These 64 sentences are what people type by voice: e-mails,
messages, notes and commands, a quarter of them with spoken punctuation
("comma", "question mark"), numbers and names. Each is read once, at one of
three speaking rates in turn (hibari's one bundled voice; the rates stand in
for different speakers), seeded so that runs compare. The reference is the
words as spoken: the benchmark scores the engine's text, before any shaping.
"""

from __future__ import annotations

from collections.abc import Sequence

DICTATION_SENTENCES: tuple[str, ...] = (
    "Hi Sarah comma thanks for sending the slides over so quickly period",
    "Can we move tomorrow's call to three thirty question mark",
    "Stop right there exclamation mark",
    "Please find the signed contract attached to this email.",
    "I'll be about ten minutes late, start without me.",
    "Remind me to call the dentist on Tuesday morning.",
    "The quarterly numbers look better than we expected.",
    "Dear team comma the office will be closed on Friday period",
    "Let's meet at the cafe next to the station at noon.",
    "Could you review my pull request before the end of the day?",
    "Buy milk comma eggs comma bread and coffee period",
    "The meeting has been moved to room four on the second floor.",
    "Thanks again for your help with the move last weekend.",
    "Is the invoice for March already paid question mark",
    "We need two more volunteers for the charity run in June.",
    "Happy birthday exclamation mark I hope you have a wonderful day period",
    "The build failed because a test timed out on the server.",
    "Please don't forget to water the plants while I'm away.",
    "New paragraph the second point is about the budget for next year.",
    "My flight lands at seven fifteen in the evening.",
    "Could you send me the address of the restaurant question mark",
    "I think the printer on the third floor is out of toner again.",
    "Our new colleague Maria starts on the first of September.",
    "The kids have football practice every Wednesday after school.",
    "Note to self colon check the warranty before returning the laptop period",
    "We sold four hundred and twenty tickets in the first hour.",
    "Sorry comma I missed your call period I'll ring you back after lunch period",
    "The doctor said I should rest for a few days.",
    "What time does the pharmacy close on Saturdays question mark",
    "Great work on the presentation comma everyone loved it exclamation mark",
    "The package should arrive between nine and eleven tomorrow.",
    "Let me know if you need anything else from me.",
    "I have attached the photos from the trip to the mountains.",
    "The train to Edinburgh leaves from platform six.",
    "Please update the spreadsheet with the latest sales figures.",
    "Are you free for a quick chat this afternoon question mark",
    "The heating in the flat has stopped working again.",
    "I'd like to book a table for four people at eight o'clock.",
    "Don't worry about it comma these things happen period",
    "We're running low on paper towels and dish soap.",
    "The library books are due back on the twelfth.",
    "Can you pick up the dry cleaning on your way home question mark",
    "The new software update fixed the problem with the camera.",
    "I'm writing to apologise for the delay in my reply.",
    "Let's push the launch back by one week to be safe.",
    "Our neighbours are having a party on Saturday night.",
    "The password must be at least twelve characters long.",
    "Thanks for the lovely dinner comma we had a great time period",
    "Please call me back as soon as you get this message.",
    "The museum is free on the first Sunday of every month.",
    "Did you remember to lock the back door question mark",
    "I've forwarded your question to the support team.",
    "The weather forecast says it will rain all weekend.",
    "We should leave early to avoid the traffic on the bridge.",
    "Welcome aboard exclamation mark we're glad to have you on the team period",
    "The report needs a summary of no more than one page.",
    "Could you explain how the new expense policy works?",
    "I'll send the final version once the lawyers have approved it.",
    "The car is booked in for a service next Thursday.",
    "Let's keep this between us until the announcement.",
    "How much did the tickets cost in the end question mark",
    "The garden looks beautiful now that the roses are out.",
    "Please remember to bring your passport and a pen.",
    "That's all for today comma see you all next week period",
)

# Speaking rates taken in turn: slower, hibari's own, faster.
DICTATION_SPEEDS: tuple[float, ...] = (0.9, 1.0, 1.15)


def speeds_for(sentences: Sequence[str]) -> list[float]:
    """The speaking rate of each sentence, in turn."""
    return [DICTATION_SPEEDS[index % len(DICTATION_SPEEDS)] for index in range(len(sentences))]
