"""The maskkit command-line interface (click)."""
