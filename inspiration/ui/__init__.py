"""The desktop app (PySide6 + pyqtgraph). It never imports torch: heavy work goes to `inspiration.engine` in workers."""
