from tests.alerts.servers import hooks, smtp

__all__ = ["hooks", "smtp"]
