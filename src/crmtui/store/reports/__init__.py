"""The queries of the reports, one module per report (services/reports/ words and computes them)."""
