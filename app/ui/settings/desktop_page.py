"""The Settings page "This desktop": what ``saytype doctor`` finds, where people already look.

One row per check (session, compositor, hotkey and delivery routes,
clipboard, tray, microphones, model, disk, folders): what was found and, for
what does not work, the one sentence of fix. The findings are made off the
GUI thread (``settings_applier``) and only shown here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QScrollArea, QWidget

from app.core.desktop_doctor import Finding

PAGE_NAME = "This desktop"
_MARKS = {"ok": "✓", "warning": "⚠", "problem": "✗"}
_STATUS_WORDS = {"ok": "works", "warning": "works in part", "problem": "does not work"}


def desktop_page(findings: Sequence[Finding], parent: QWidget) -> QScrollArea:
    """A scrollable page of ``findings``, each selectable so it can be copied into a report."""
    content = QWidget()
    form = QFormLayout(content)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    intro = QLabel(
        "What works on this desktop, and what to do about the rest "
        "(<code>saytype doctor</code> prints the same).",
        content,
    )
    intro.setWordWrap(True)
    form.addRow(intro)
    for finding in findings:
        text = f"{_MARKS[finding.status]} {html.escape(finding.found)}"
        if finding.fix:
            text += f"<br><i>{html.escape(finding.fix)}</i>"
        label = QLabel(text, content)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setObjectName(f"doctor_{finding.topic.replace(' ', '_')}")
        label.setAccessibleName(finding.topic.capitalize())
        label.setAccessibleDescription(
            f"{_STATUS_WORDS[finding.status]}. {finding.found} {finding.fix}".strip()
        )
        form.addRow(finding.topic.capitalize() + ":", label)
    scroll = QScrollArea(parent)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a stop of its own: Tab scrolls to fields
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    return scroll
