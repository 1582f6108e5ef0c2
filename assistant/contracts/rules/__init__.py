"""The key-term rules, one module per group of keys; ``assistant.contracts.terms`` runs them."""
