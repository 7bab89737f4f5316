"""The desktop app (PySide6). The only package that imports Qt.

Widgets live one per module; `session_adapter` turns CaptionSession events into Qt signals,
`controller` runs sessions as asyncio tasks on the qasync loop, `main_window` composes the
widgets and helpers (its docstring says which module does what), `app` wires it all up.
Typed errors become dialogs in one place: `controller.PROBLEMS` (category -> kind) and
`error_dialogs.DIALOGS` (kind -> dialog).
"""
