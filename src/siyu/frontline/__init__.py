"""Frontline tasks (营销任务): work HQ pushes to employees, with completion and effect."""
