"""Segments (人群): a rule model, a bitmap engine over dense customer numbers, rule tags."""
