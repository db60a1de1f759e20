"""The lender side: policies, challenges, presentations and the verifier (docs/verifier.md)."""
