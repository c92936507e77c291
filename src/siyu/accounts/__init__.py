"""Console users, roles and data scope, sessions, WeCom sign-in, settings and the audit log."""
