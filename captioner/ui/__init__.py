"""The desktop app (PySide6). The only package that imports Qt.

Widgets live one per module; `session_adapter` turns CaptionSession events into Qt signals,
`controller` runs sessions as asyncio tasks on the qasync loop, `app` wires it all up.
"""
