"""InvenioRDM integration: PID providers and the service component."""
