"""The sync agent: delivery to the EDMS drop folder, the server client, answers, SMS, retention."""
