"""Rendering: terminal tables, text and HTML reports. The only place that formats output."""
