"""STAND-INS for the city's external systems (EDMS, BankID). Not part of the product proper:
they exist so that the server and the terminals can be tested end to end without the real ones."""
