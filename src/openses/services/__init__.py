"""Use cases: they orchestrate the pure domain, own transactions, and talk to the world only
through the ports in :mod:`openses.services.ports`."""
