"""zkcredit.circuits: circuit gadgets and the credit statements built from them."""
