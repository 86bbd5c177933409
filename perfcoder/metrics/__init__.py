"""The papers' metrics, as plain functions of judged and measured results."""
