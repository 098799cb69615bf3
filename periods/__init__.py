"""Periods (school calendar, PFMP): the layer between the référentiels and pedagogy. Empty until its issue."""
