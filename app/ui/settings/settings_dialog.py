"""The settings dialog: one page per settings section, chosen from a sidebar.

The pages are generated from :func:`app.core.settings.setting_fields`: each
section (``group``) becomes a page listing its settings with their label, an
input widget and the description in plain words, so a new setting appears here
without editing this file. One long form did not fit a laptop screen, so each page
scrolls on its own and OK / Cancel stay visible below the pages. The dialog only
edits: it hands the new :class:`Settings` to its owner (``settings_accepted``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.desktop_doctor import Finding
from app.core.output.delivery_route import DeliveryRoute
from app.core.settings import SettingField, Settings, setting_fields
from app.core.settings_rules import export_folder_problem
from app.ui.settings.desktop_page import PAGE_NAME as DESKTOP_PAGE
from app.ui.settings.desktop_page import desktop_page
from app.ui.settings.engine_page import ENGINE_PAGE
from app.ui.settings.focus_in_view import FocusInView
from app.ui.settings.models_page import ModelsPage, ask_to_stop_the_download
from app.ui.settings.profiles_page import PROFILES_PAGE, ProfilesPage
from app.ui.settings.restored_defaults import restored_summary, settings_or_none
from app.ui.settings.route_label import LABEL as ROUTE_LABEL
from app.ui.settings.route_label import route_label
from app.ui.settings.setting_editors import (
    LIST_EDITORS,
    check_model_choice,
    make_editor,
    offer_models,
    parse_list_text,
    show_value,
    value_of,
    when_edited,
    with_word_lists_kept,
)
from app.ui.settings.settings_form import folder_browse_button, settings_form
from app.ui.shell.focus_marks import mark_focus

log = logging.getLogger(__name__)

MODELS_PAGE = "Downloaded models"
# The model manager sits next to the settings that choose among its models, the
# profiles next to the text settings they change per app.
_MODELS_PAGE_AFTER = "Model"
_PROFILES_PAGE_AFTER = "Text"
# At most this big at first: a 1280x720 screen less a panel and the title bar.
_LARGEST_START_SIZE = QSize(960, 620)
_NEXT_PAGE_KEYS = ("Ctrl+PgDown", "Ctrl+Tab")
# Ctrl+Shift+Tab arrives as Tab or Backtab by platform (with Ctrl+Backtab too, X11 fired none).
_PREVIOUS_PAGE_KEYS = ("Ctrl+PgUp", "Ctrl+Shift+Tab", "Ctrl+Shift+Backtab")


class SettingsDialog(QDialog):
    """Edits a copy of the settings; emits ``settings_accepted(Settings)`` on OK.

    Args:
        settings: the values to show.
        input_devices: microphone names to offer (the system default is always offered).
        models: model names to offer; the user may also type a name or a folder.
        parent: the owning window.
        models_page, profiles_page, engine_page: the model manager, the per-app profiles
            and the engine picker (app.ui.settings.*_page), each shown as a page.
        delivery_route: how text reaches other apps here, shown beside the delivery settings.
        desktop_findings: what ``saytype doctor`` finds here, shown as the last page.
    """

    settings_accepted = Signal(object)

    def __init__(
        self,
        settings: Settings,
        input_devices: list[str],
        models: list[str],
        parent: QWidget | None = None,
        *,
        models_page: ModelsPage | None = None,
        profiles_page: ProfilesPage | None = None,
        engine_page: QWidget | None = None,
        delivery_route: DeliveryRoute | None = None,
        desktop_findings: Sequence[Finding] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Saytype Settings")
        self.setAccessibleName("Saytype settings")
        self._initial = settings
        self._fields = {setting.name: setting for setting in setting_fields()}
        self._editors: dict[str, QWidget] = {}
        self._page_of: dict[str, str] = {}  # setting name -> page name
        self._first_field: dict[str, QWidget] = {}  # page name -> where Tab starts on it
        self._pages: dict[str, QWidget] = {}  # page name -> page, in sidebar order
        self._forms: list[QWidget] = []  # what each settings page scrolls
        self.models_page = models_page
        self._stop_download_agreed = False
        self.profiles_page = profiles_page
        self.engine_page = engine_page
        self.pages = QListWidget(self)
        self.pages.setAccessibleName("Settings pages")
        self.pages.setSpacing(2)
        hint = "Ctrl+Page Down and Ctrl+Page Up (or Ctrl+Tab) switch pages."
        self.pages.setAccessibleDescription(hint)
        self.pages.setToolTip(hint)
        self.stack = QStackedWidget(self)
        self.pages.currentRowChanged.connect(self.stack.setCurrentIndex)

        sections: dict[str, list[SettingField]] = {}
        for setting in self._fields.values():
            editor = make_editor(setting, self, input_devices, models)
            if editor is not None:
                self._editors[setting.name] = editor
                sections.setdefault(setting.group, []).append(setting)
        self._error_field = ""  # the setting the error line is about
        for name, editor in self._editors.items():
            when_edited(editor, partial(self._edited, name))
        self._add_pages(sections)
        self._add_session_parts(delivery_route, desktop_findings)
        frame = 2 * self.pages.frameWidth()
        self.pages.setFixedWidth(self.pages.sizeHintForColumn(0) + frame + 24)
        self.pages.setCurrentRow(0)

        body = QHBoxLayout()
        body.addWidget(self.pages)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        self._error = QLabel(self)
        self._error.setWordWrap(True)
        self._error.setAccessibleName("Settings error")
        self._error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._error.hide()
        layout.addWidget(self._error)
        self._buttons = self._make_buttons()
        layout.addWidget(self._buttons)
        for keys, step in ((_NEXT_PAGE_KEYS, 1), (_PREVIOUS_PAGE_KEYS, -1)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                # Where a platform matches two of them anyway, one press still turns once.
                for fired in (shortcut.activated, shortcut.activatedAmbiguously):
                    fired.connect(lambda step=step: self._step_page(step))
        self.show_settings(settings)

    def _add_pages(self, sections: dict[str, list[SettingField]]) -> None:
        """A page per settings section, the models and profiles pages beside theirs."""
        mark_focus(self.pages)  # a list shows no focus of its own: a keyboard user lost it
        extra: dict[str, tuple[str, QWidget | None]] = {
            _MODELS_PAGE_AFTER: (MODELS_PAGE, self.models_page),
            _PROFILES_PAGE_AFTER: (PROFILES_PAGE, self.profiles_page),
        }
        for group, fields in sections.items():
            self._add_page(group, self._make_form_page(group, fields))
            name, page = extra.pop(group, ("", None))
            if page is not None:
                self._add_page(name, page)
        for name, page in extra.values():  # its section has no page of its own
            if page is not None:
                self._add_page(name, page)
        if self.engine_page is not None:
            self._add_page(ENGINE_PAGE, self.engine_page)

    def _make_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        # Spelled out: the platform's own texts may carry no Alt letter, and the forms
        # leave o, c and d free for these (settings_form).
        for button, text in (
            (QDialogButtonBox.StandardButton.Ok, "&OK"),
            (QDialogButtonBox.StandardButton.Cancel, "&Cancel"),
            (QDialogButtonBox.StandardButton.RestoreDefaults, "Restore &Defaults"),
        ):
            buttons.button(button).setText(text)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).setToolTip(
            "Show every setting at its default, except your replacements, special words and "
            "snippets. Nothing changes until OK."
        )
        QShortcut(QKeySequence("Ctrl+Return"), self).activated.connect(self.accept)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.clicked.connect(self._on_button)
        return buttons

    def _add_page(self, name: str, page: QWidget) -> None:
        page.setAccessibleName(
            f"{name} settings" if name not in {MODELS_PAGE, PROFILES_PAGE} else name
        )
        holder = page
        if not isinstance(page, QScrollArea):  # the models, profiles and engine pages scroll
            holder = QScrollArea(self.stack)  # too, on a small or scaled screen
            holder.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab scrolls to the fields in it
            holder.setWidgetResizable(True)
            holder.setFrameShape(QScrollArea.Shape.NoFrame)
            holder.setWidget(page)
            self._forms.append(page)  # sized for at first, like the forms
        self.stack.addWidget(holder)
        FocusInView(holder)  # an Alt+letter scrolls to its field, as Tab does
        self.pages.addItem(name)
        self._pages[name] = page
        if name not in self._first_field:  # a page made elsewhere, such as the models page
            focusable = [
                child
                for child in page.findChildren(QWidget)
                if child.focusPolicy() & Qt.FocusPolicy.TabFocus
            ]
            self._first_field[name] = focusable[0] if focusable else page

    def _make_form_page(self, group: str, fields: list[SettingField]) -> QScrollArea:
        """A scrollable form of ``fields``: label, input and the description under it."""
        for setting in fields:
            self._page_of[setting.name] = group
        self._first_field.setdefault(group, self._editors[fields[0].name])
        browse = None
        if any(setting.name == "export_folder" for setting in fields):
            line = self._editors["export_folder"]
            assert isinstance(line, QLineEdit)
            label = self._fields["export_folder"].label
            self.browse_button = browse = folder_browse_button(line, label, self)
        scroll = settings_form(fields, self._editors, self.stack, browse_button=browse)
        content = scroll.widget()
        assert content is not None  # settings_form always gives the scroll area its form
        self._forms.append(content)
        return scroll

    def _add_session_parts(
        self, route: DeliveryRoute | None, findings: Sequence[Finding] | None
    ) -> None:
        """What this session allows: the delivery route by its settings, doctor's own page."""
        if route is not None and "delivery" in self._page_of:
            self._add_route_row(route)
        if findings is not None:
            self._add_page(DESKTOP_PAGE, desktop_page(findings, self.stack))

    def _add_route_row(self, route: DeliveryRoute) -> None:
        page = self._pages[self._page_of["delivery"]]
        content = page.widget() if isinstance(page, QScrollArea) else None
        if content is not None and isinstance(form := content.layout(), QFormLayout):
            form.addRow(ROUTE_LABEL + ":", route_label(route, content))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Big enough to show the tallest page without scrolling, within a small laptop screen."""
        hint = super().sizeHint()
        stack = self.stack.sizeHint()
        contents = [form.sizeHint().expandedTo(form.minimumSizeHint()) for form in self._forms]
        scrollbar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        # Room for a label and about 80 characters of description beside it.
        line = self.fontMetrics().averageCharWidth() * 110
        wanted = QSize(
            hint.width() - stack.width() + max([line, *(c.width() for c in contents)]),
            hint.height() - stack.height() + max((c.height() for c in contents), default=0),
        )
        return hint.expandedTo(wanted + QSize(scrollbar, 0)).boundedTo(_LARGEST_START_SIZE)

    def editor(self, name: str) -> QWidget:
        """The input widget for the setting ``name`` (for tests and the owner's focus)."""
        return self._editors[name]

    def button_box(self) -> QDialogButtonBox:
        """The OK / Cancel / Restore Defaults buttons."""
        return self._buttons

    def page_names(self) -> list[str]:
        """The pages in sidebar order."""
        return list(self._pages)

    def current_page(self) -> str:
        """The name of the page shown now."""
        item = self.pages.currentItem()
        return item.text() if item else ""

    def page_widget(self, name: str) -> QWidget:
        """The page called ``name`` (the widget the stack shows)."""
        return self._pages[name]

    def page_holding(self, setting: str) -> str:
        """The name of the page that shows the setting ``setting``."""
        return self._page_of[setting]

    def show_page(self, name: str) -> None:
        """Show the page called ``name``."""
        self.pages.setCurrentRow(self.page_names().index(name))

    def _step_page(self, step: int) -> None:
        """Show the next (1) or previous (-1) page, wrapping round, as tab widgets do."""
        focus = QApplication.focusWidget()
        inside = focus is not None and self.stack.isAncestorOf(focus)
        self.pages.setCurrentRow((self.pages.currentRow() + step) % self.pages.count())
        if inside:  # keep the keyboard in the pages: start at the new page's first field
            self._first_field[self.current_page()].setFocus(Qt.FocusReason.OtherFocusReason)

    def show_settings(self, settings: Settings) -> None:
        """Put ``settings`` into the form."""
        for name, editor in self._editors.items():
            show_value(editor, name, getattr(settings, name))
        self._error.hide()

    def set_models(self, models: list[str]) -> str | None:
        """Offer ``models`` (after an install or removal); see :func:`offer_models`."""
        editor = self._editors.get("model")
        return offer_models(editor, models) if isinstance(editor, QComboBox) else None

    def result_settings(self) -> Settings:
        """The settings as the form shows them now.

        Raises:
            ValueError: naming the field, when a value is not allowed (an empty model name).
        """
        values = {name: value_of(editor) for name, editor in self._editors.items()}
        for name in LIST_EDITORS.keys() & values.keys():
            values[name] = parse_list_text(name, str(values[name]))
        settings = self._initial.replace(**values)
        changed = settings.export_folder != self._initial.export_folder
        if changed and (problem := export_folder_problem(settings.export_folder)):
            raise ValueError(f"export_folder: {problem}")
        was = (self._initial.model, self._initial.language)
        editor = self._editors.get("model")
        if isinstance(editor, QComboBox) and (settings.model, settings.language) != was:
            offered = [editor.itemText(index) for index in range(editor.count())]
            check_model_choice(settings.model, offered, settings.language)
        return settings

    def restore_defaults(self) -> None:
        """Show the default settings, and say which changed; nothing changes until OK. The
        Text page's word lists are the user's own writing, not settings: they stay."""
        before = settings_or_none(self.result_settings)
        with_word_lists_kept(self._editors, lambda: self.show_settings(Settings()))
        now = settings_or_none(self.result_settings)
        self._error.setText(restored_summary(before, now, self._fields))
        self._error.setVisible(bool(self._error.text()))

    def _on_button(self, button: QAbstractButton) -> None:
        role = self._buttons.buttonRole(button)
        if role == QDialogButtonBox.ButtonRole.ResetRole:
            self.restore_defaults()

    def _edited(self, name: str) -> None:
        if name == self._error_field:  # the user is mending it: the old error no longer holds
            self._error.hide()

    def accept(self) -> None:
        """Check the values, emit ``settings_accepted`` and close; on a bad value, say which."""
        try:
            settings = self.result_settings()
        except ValueError as exc:
            name = str(exc).split(":", 1)[0]
            setting = self._fields.get(name)
            label = setting.label if setting else name
            self._error.setText(f"{label}: {str(exc).split(':', 1)[-1].strip()}")
            self._error.show()
            self._error_field = name
            if name in self._editors:
                self.show_page(self._page_of[name])  # the field may be on another page
                self._editors[name].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if self.profiles_page is not None and not self.profiles_page.save_edits():
            self.show_page(PROFILES_PAGE)  # its message says what is wrong
            return
        self.settings_accepted.emit(settings)
        super().accept()

    def done(self, result: int) -> None:
        """Close; while a model downloads, ask first (closing the dialog stops it)."""
        profiles = self.profiles_page
        if result == QDialog.DialogCode.Rejected and profiles and profiles.unsaved_edits():
            profiles.ask_about_edits(lambda: self.done(result))
            return
        page = self.models_page
        if page is None or not page.downloading or self._stop_download_agreed:
            super().done(result)
            return

        def stop() -> None:
            self._stop_download_agreed = True
            super(SettingsDialog, self).done(result)

        ask_to_stop_the_download(self, stop)
