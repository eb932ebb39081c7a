"""The appeal terminal: ``kiosk_app.core`` (UI-free terminal) and ``kiosk_app.ui`` (Qt front end)."""
