"""The sync engine: the Qt-free library between the desktop inbox and the practice server."""
