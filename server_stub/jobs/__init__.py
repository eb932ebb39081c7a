"""Background jobs that run once across any number of server processes (docs/server.md "Scaling out")."""
