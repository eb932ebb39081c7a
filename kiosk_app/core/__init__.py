"""The UI-free terminal: applicant and appeal model, validation, numbering, the intake workflow,
image processing, PDF building and the local store. Imports no Qt (a test enforces it)."""
