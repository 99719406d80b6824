"""The one error the settings code raises, with a message written for the user.

It has a module of its own because both the settings (:mod:`app.core.settings`,
:mod:`app.core.settings_file`) and what applies them outside the settings file
(:mod:`app.core.autostart`) raise it, and :mod:`app.core.settings` imports the
autostart functions: defining it there made the two modules import each other.
"""

from __future__ import annotations


class SettingsError(Exception):
    """Settings could not be saved (or applied); the message is written for the user."""
