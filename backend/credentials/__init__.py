"""The credential store: provider secrets encrypted at rest, resolved by name at run time."""
